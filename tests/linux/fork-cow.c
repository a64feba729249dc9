/* fork-cow.yaml on Linux: the parent writes 16 pages of private anonymous
 * memory and forks; the child reads all 16, writes pages 0-3; the parent
 * writes pages 0-3 (which the child already copied) and 4-7 (still
 * shared); the child exits and the parent writes pages 8-15. Parent and
 * child take turns through pipes and each adds its own faults to the
 * chapter. The fork chapter subtracts a calibration fork (see
 * fork_measured in probe.h). pagemap tells a copy (a new frame) from a
 * reuse (the same frame) when frame numbers are visible. */
#include "probe.h"

#include <sys/mman.h>
#include <unistd.h>

static const char *const chapters[] = {
    "Before fork", "fork", "The child reads", "The child writes", "The parent writes the same pages",
    "The parent writes pages still shared", "The child exits", NULL};

static char *heap;
static uint64_t frame[16];

static void frames_now(void)
{
    for (int i = 0; i < 16; i++)
        frame[i] = pagemap_pfn(pagemap_entry(heap + i * PAGE));
}

/* "k/n pages kept their frame" for pages [from, to). */
static int kept(int from, int to)
{
    int n = 0;
    for (int i = from; i < to; i++)
        n += pagemap_pfn(pagemap_entry(heap + i * PAGE)) == frame[i];
    return n;
}

static void child(struct link *l)
{
    struct mark m;
    wait_parent(l);
    probe_settle();
    mark_begin(&m);
    fill_read(heap, 64 * KiB, PAGE);
    mark_end(&m, "The child reads");
    frames_now();
    probe_settle();
    mark_begin(&m);
    fill_write(heap, 16 * KiB, PAGE);
    mark_end(&m, "The child writes");
    if (pfn_visible() == 1)
        note("child_pages_0-3_kept_their_frame=%d/4 (0: copied)", kept(0, 4));
    give_parent(l);
    wait_parent(l); /* exit: 2 */
}

int main(void)
{
    struct link l;
    struct mark m;
    probe_init(chapters);
    probe_check_empty();
    heap = mmap(NULL, 64 * KiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (heap == MAP_FAILED)
        return 2;
    probe_area(heap, 64 * KiB);

    probe_settle();
    mark_begin(&m);
    fill_write(heap, 64 * KiB, PAGE);
    mark_end(&m, "Before fork");

    pid_t pid = fork_measured(&l, "fork");
    if (pid == 0) {
        child(&l);
        _exit(0);
    }
    give_child(&l); /* switch: 2; the child reads and writes */

    frames_now();
    probe_settle();
    mark_begin(&m);
    fill_write(heap, 16 * KiB, PAGE);
    mark_end(&m, "The parent writes the same pages");
    if (pfn_visible() == 1)
        note("parent_pages_0-3_kept_their_frame=%d/4 (4: reused, no copy)", kept(0, 4));

    probe_settle();
    mark_begin(&m);
    fill_write(heap + 16 * KiB, 16 * KiB, PAGE);
    mark_end(&m, "The parent writes pages still shared");
    if (pfn_visible() == 1)
        note("parent_pages_4-7_kept_their_frame=%d/4 (0: copied)", kept(4, 8));

    /* exit: 2. The child calls _exit, which touches nothing of the heap;
     * the chapter counts the parent's writes after it has been reaped. */
    close(l.down[1]);
    reap(pid);
    probe_settle();
    mark_begin(&m);
    fill_write(heap + 32 * KiB, 32 * KiB, PAGE);
    mark_end(&m, "The child exits");
    if (pfn_visible() == 1)
        note("parent_pages_8-15_kept_their_frame=%d/8 (8: reused, no copy)", kept(8, 16));

    probe_report();
    return 0;
}
