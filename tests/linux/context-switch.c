/* context-switch.yaml on Linux: two processes, "editor" (this one) and
 * "compiler" (a child forked before anything else), take turns through a
 * pair of pipes, which is a real context switch. The editor writes its
 * 16 KiB buffer and an 8 KiB area standing for the scenario's global
 * "kernel" area (user code cannot touch the kernel's own mappings, so it
 * is an ordinary anonymous area here), the compiler its own 16 KiB
 * buffer; then each reads them again. Each process counts its own faults;
 * a chapter adds them up. TLB misses need a hardware counter, which the
 * probe does not read here; x86-64 Linux tags TLB entries with a PCID
 * where the CPU has them (noted), so its switches do not flush the way
 * the scenario's ASID-less TLB does. */
#include "probe.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *const chapters[] = {"Warming up", "Taking turns", NULL};

static char *anon(size_t size)
{
    char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        exit(2);
    probe_area(p, size);
    return p;
}

static void compiler(struct link *l)
{
    struct mark m;
    char *buf = anon(16 * KiB);
    wait_parent(l);
    probe_settle();
    mark_begin(&m);
    fill_write(buf, 16 * KiB, PAGE);
    mark_end(&m, "Warming up");
    give_parent(l);
    wait_parent(l);
    probe_settle();
    mark_begin(&m);
    fill_read(buf, 16 * KiB, PAGE);
    mark_end(&m, "Taking turns");
    give_parent(l);
}

int main(void)
{
    struct link l;
    struct mark m;
    probe_init(chapters);
    probe_check_empty();
    note("pcid=%s", cpu_flag("pcid") ? "yes" : "no");

    pid_t child = fork_linked(&l);
    if (child == 0) {
        compiler(&l);
        _exit(0);
    }
    char *buf = anon(16 * KiB), *kernel = anon(8 * KiB);

    probe_settle();
    mark_begin(&m);
    fill_write(buf, 16 * KiB, PAGE);
    fill_write(kernel, 8 * KiB, PAGE);
    mark_end(&m, "Warming up");
    give_child(&l); /* switch: 2 */

    probe_settle();
    mark_begin(&m);
    fill_read(buf, 16 * KiB, PAGE);
    fill_read(kernel, 8 * KiB, PAGE);
    mark_end(&m, "Taking turns");
    give_child(&l); /* switch: 2 */

    reap(child);
    probe_report();
    return 0;
}
