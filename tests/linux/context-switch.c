/* context-switch.yaml on Linux: two processes, "editor" (this one) and
 * "compiler" (a child forked before anything else), take turns through a
 * pair of pipes, which is a real context switch. The editor writes its
 * 16 KiB buffer, the compiler its own; then each reads its buffer again.
 * Each process counts its own faults; a chapter adds them up.
 *
 * The scenario's kernel-mode accesses stand for the kernel touching its
 * own data during a system call: here each of those places makes a
 * system call (getppid), whose faults, none, are counted with the rest.
 * The last chapter reads the scenario's kernel address 0xffffffff82000000
 * in user mode; a SIGSEGV handler notes si_code, si_addr and the error
 * code (REG_ERR). Linux's kernel need not be at that address (KASLR), and
 * with page-table isolation user mode's tables do not map it at all: the
 * error code the handler sees is 0x5 either way, since Linux sets the
 * present bit for every user fault on a kernel address.
 *
 * TLB misses need a hardware counter, which the probe does not read here;
 * x86-64 Linux tags TLB entries with a PCID where the CPU has them
 * (noted), so its switches do not flush the way the scenario's ASID-less
 * TLB does. */
#include "probe.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *const chapters[] = {"Warming up", "Taking turns",
                                       "The kernel is not the process's", NULL};

/* The scenario's kdata. */
#define KERNEL_DATA 0xffffffff82000000UL

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
    (void)getppid(); /* a system call: the kernel reads its own data */
    (void)getppid(); /* and fetches its text */
    mark_end(&m, "Taking turns");

    struct sig_rec sig;
    char text[200];
    probe_settle();
    mark_begin(&m);
    int signo = probe_try(probe_read, (void *)KERNEL_DATA, &sig);
    mark_end(&m, "The kernel is not the process's");
    if (signo) {
        sig_describe(&sig, text, sizeof text);
        note("compiler_reads_kernel_data=%s", text);
    } else {
        note("compiler_reads_kernel_data=no signal");
    }
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
    char *buf = anon(16 * KiB);

    probe_settle();
    mark_begin(&m);
    fill_write(buf, 16 * KiB, PAGE);
    (void)getppid(); /* a system call: the kernel writes its own data */
    mark_end(&m, "Warming up");
    give_child(&l); /* switch: 2 */

    probe_settle();
    mark_begin(&m);
    fill_read(buf, 16 * KiB, PAGE);
    (void)getppid(); /* a system call: the kernel reads its own data */
    mark_end(&m, "Taking turns");
    give_child(&l); /* switch: 2 */

    reap(child);
    probe_report();
    return 0;
}
