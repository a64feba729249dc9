/* shared-memory.yaml on Linux: the parent maps 16 KiB MAP_SHARED |
 * MAP_ANONYMOUS and writes it, forks; the child writes the same pages, the
 * parent reads them, then the child writes 64 KiB of private memory. Each
 * process adds its own faults to the chapter; the fork chapter subtracts
 * a calibration fork (fork_measured in probe.h). pagemap shows whether
 * both processes map the same frames.
 *
 * The last chapter needs the shared pages to go to swap under memory
 * pressure. That needs swap and a memory limit (a memory cgroup) which
 * the probe does not impose; MADV_PAGEOUT cannot stand in for it, since
 * it leaves alone pages that more than one process maps. */
#include "probe.h"

#include <sys/mman.h>
#include <unistd.h>

static const char *const chapters[] = {"A shared area", "fork", "The parent reads what the child wrote",
                                       "Memory pressure", "Back from swap", NULL};

static char *shared;
static uint64_t *parent_frame; /* MAP_SHARED: the parent's frames */

static void child(struct link *l)
{
    struct mark m;
    wait_parent(l);
    /* Still the fork chapter: the child writes its own value to every page. */
    note("child_write_pattern=%s", touch_pages(shared, 4, 1, "fork"));
    for (int i = 0; i < 4; i++)
        shared[i * PAGE] = 2;
    if (pfn_visible() == 1) {
        int same = 0;
        for (int i = 0; i < 4; i++)
            same += pagemap_pfn(pagemap_entry(shared + i * PAGE)) == parent_frame[i];
        note("child_pages_on_the_parents_frames=%d/4", same);
    }
    give_parent(l);

    wait_parent(l);
    char *private = mmap(NULL, 64 * KiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (private == MAP_FAILED)
        _exit(2);
    probe_area(private, 64 * KiB);
    probe_settle();
    mark_begin(&m);
    fill_write(private, 64 * KiB, PAGE);
    mark_end(&m, "Memory pressure");
    give_parent(l);
}

int main(void)
{
    struct link l;
    struct mark m;
    probe_init(chapters);
    probe_check_empty();
    parent_frame = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    probe_settle();
    mark_begin(&m);
    shared = mmap(NULL, 16 * KiB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    probe_area(shared, 16 * KiB); /* no access between the marks: settle is not needed */
    fill_write(shared, 16 * KiB, PAGE);
    mark_end(&m, "A shared area");
    for (int i = 0; i < 4; i++)
        parent_frame[i] = pagemap_pfn(pagemap_entry(shared + i * PAGE));

    pid_t pid = fork_measured(&l, "fork");
    if (pid == 0) {
        child(&l);
        _exit(0);
    }
    give_child(&l); /* switch: 2; the child writes */

    probe_settle();
    mark_begin(&m);
    fill_read(shared, 16 * KiB, PAGE);
    mark_end(&m, "The parent reads what the child wrote");
    note("parent_sees_the_childs_writes=%s", shared[0] == 2 && shared[3 * PAGE] == 2 ? "yes" : "no");

    give_child(&l); /* switch: 2; memory pressure */
    note("memory_pressure=none on this host: the child's 64 KiB evict nothing");
    phase_skip("Back from swap", "needs the shared pages in swap: %s, and a memory limit the probe "
               "does not impose (MADV_PAGEOUT leaves pages that two processes map alone)",
               swap_present() ? "swap is present" : "no swap is configured");
    close(l.down[1]);
    reap(pid);
    probe_report();
    return 0;
}
