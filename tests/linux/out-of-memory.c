/* out-of-memory.yaml on Linux: "service" (this process) writes 16 KiB;
 * "hog" (a child forked before the chapters) writes 256 KiB; the service
 * reads its 16 KiB again. The scenario's machine has 48 frames and no
 * swap, so the hog is killed by the OOM killer. A process cannot give
 * itself so small a memory (that needs a memory cgroup limit), so the
 * hog's chapter is not reproduced; what the hog's writes cost without a
 * limit is noted. */
#include "probe.h"

#include <sys/mman.h>
#include <unistd.h>

static const char *const chapters[] = {"A small service", "The hog grows", "Life goes on", NULL};

static void hog(struct link *l)
{
    struct mark m;
    long minor, major;
    char *heap = mmap(NULL, 256 * KiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (heap == MAP_FAILED)
        _exit(2);
    probe_area(heap, 256 * KiB);
    wait_parent(l);
    probe_settle();
    mark_begin(&m);
    fill_write(heap, 256 * KiB, PAGE);
    mark_delta(&m, &minor, &major);
    note("hog_faults_without_a_memory_limit=%ld/%ld (no OOM kill)", minor, major);
    give_parent(l);
}

int main(void)
{
    struct link l;
    struct mark m;
    probe_init(chapters);
    probe_check_empty();
    pid_t pid = fork_linked(&l);
    if (pid == 0) {
        hog(&l);
        _exit(0);
    }
    char *state = mmap(NULL, 16 * KiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (state == MAP_FAILED)
        return 2;
    probe_area(state, 16 * KiB);

    probe_settle();
    mark_begin(&m);
    fill_write(state, 16 * KiB, PAGE);
    mark_end(&m, "A small service");

    give_child(&l); /* switch: 2 */
    phase_skip("The hog grows", "needs memory limited to 48 pages without swap (a memory cgroup) "
               "for the OOM killer to act");
    reap(pid);

    probe_settle();
    mark_begin(&m);
    fill_read(state, 16 * KiB, PAGE);
    mark_end(&m, "Life goes on");
    probe_report();
    return 0;
}
