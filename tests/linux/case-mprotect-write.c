/* Case: mprotect(PROT_READ), then mprotect(PROT_READ|PROT_WRITE), then a
 * write to each of 16 private anonymous pages that were written before,
 * each page measured on its own ('.' no fault, 'm' minor). pagemap says
 * whether a page kept its frame (when frame numbers are visible).
 *   no fork               this process alone maps the pages
 *   after fork, child alive    a child shares them (copy-on-write)
 *   after fork, child exited   it did, and has exited since
 * and, to tell the mprotect's part from copy-on-write's, the last case
 * without the mprotect calls. Each region is a mapping of its own. */
#include "probe.h"

#include <sys/mman.h>
#include <unistd.h>

static char *region(void)
{
    char *p = mmap(NULL, 18 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(p, PAGE, PROT_NONE);
    mprotect(p + 17 * PAGE, PAGE, PROT_NONE);
    probe_area(p, 18 * PAGE);
    fill_write(p + PAGE, 16 * PAGE, PAGE);
    return p + PAGE;
}

static uint64_t frame[16];

static void remember(char *p)
{
    for (int i = 0; i < 16; i++)
        frame[i] = pagemap_pfn(pagemap_entry(p + i * PAGE));
}

static void frames_kept(const char *key, char *p)
{
    int same = 0;
    if (pfn_visible() != 1)
        return;
    for (int i = 0; i < 16; i++)
        same += pagemap_pfn(pagemap_entry(p + i * PAGE)) == frame[i];
    note("frames_kept[%s]=%d/16", key, same);
}

/* The write after the two mprotect calls (or without them). */
static void write_after(char *p, const char *phase, int with_mprotect)
{
    remember(p);
    if (with_mprotect) {
        mprotect(p, 16 * PAGE, PROT_READ);
        mprotect(p, 16 * PAGE, PROT_READ | PROT_WRITE);
    }
    probe_settle();
    note("pattern[%s]=%s", phase, touch_pages(p, 16, 1, phase));
    frames_kept(phase, p);
}

int main(void)
{
    static const char *const phases[] = {
        "write after mprotect read-only and back, no fork",
        "write after mprotect read-only and back, after fork, child alive",
        "write after mprotect read-only and back, after fork, child exited",
        "write without mprotect, after fork, child exited", NULL};
    struct link l;
    probe_init(phases);
    probe_check_empty();
    char *alone = region(), *alive = region(), *exited = region(), *plain = region();

    write_after(alone, phases[0], 1);

    pid_t pid = fork_linked(&l);
    if (pid == 0) {
        wait_parent(&l); /* until the parent closes its end */
        _exit(0);
    }
    write_after(alive, phases[1], 1);
    close(l.down[1]);
    reap(pid);
    write_after(exited, phases[2], 1);
    write_after(plain, phases[3], 0);

    probe_report();
    return 0;
}
