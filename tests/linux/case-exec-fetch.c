/* Case: an instruction fetch from never-written private anonymous memory.
 *
 * The probe calls into the first byte of a fresh PROT_READ|PROT_WRITE|
 * PROT_EXEC page, so that the first access to the page is the fetch.
 * Never-written memory reads as zeros, and 00 00 decodes as
 * add %al,(%rax); %rax points at a read-only page that is already
 * mapped, so that the instruction's write is refused at once (SIGSEGV,
 * SEGV_ACCERR, si_addr = that page: noted) and nothing else runs. What
 * the chapter measures is the fetch's own fault. Then the probe writes to
 * the page, and fetches from it again. pagemap tells the shared zero page
 * from a frame of the page's own (when frame numbers are visible). The
 * same without PROT_WRITE (r-x), and, for comparison, a page written
 * first and fetched after. */
#include "probe.h"

#include <sys/mman.h>

static char *readonly; /* %rax: present, read-only */
static uint64_t zero_pfn;

static void fetch(void *entry)
{
    call_at(entry, readonly);
}

static char *page(int prot)
{
    char *p = mmap(NULL, 3 * PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(p, PAGE, PROT_NONE); /* a mapping of its own */
    mprotect(p + 2 * PAGE, PAGE, PROT_NONE);
    probe_area(p, 3 * PAGE);
    return p + PAGE;
}

static const char *frame_of(char *p)
{
    uint64_t e = pagemap_entry(p);
    if (pfn_visible() != 1)
        return "unknown (frame numbers hidden)";
    if (!pagemap_present(e))
        return "none (not present)";
    return pagemap_pfn(e) == zero_pfn ? "the zero page" : "a frame of its own";
}

/* One measured step: a fetch (noting what it raised) or a write. */
static void step(const char *phase, char *p, int is_fetch)
{
    struct mark m;
    struct sig_rec sig;
    char text[200];
    probe_settle();
    mark_begin(&m);
    if (is_fetch)
        probe_try(fetch, p, &sig);
    else
        *(volatile char *)(p + 100) = 1;
    mark_end(&m, phase);
    if (is_fetch) {
        sig_describe(&sig, text, sizeof text);
        note("signal[%s]=%s", phase, text);
    }
    note("frame_after[%s]=%s", phase, frame_of(p));
}

int main(void)
{
    static const char *const phases[] = {
        "fetch from never-written rwx memory", "write to it after the fetch",
        "fetch from it again after the write", "fetch from never-written r-x memory",
        "write first to never-written rwx memory", "fetch from it after the write", NULL};
    probe_init(phases);
    probe_check_empty();
    readonly = page(PROT_READ);
    (void)*(volatile char *)readonly;
    zero_pfn = pagemap_pfn(pagemap_entry(readonly));
    note("readonly_page_for_rax=%#lx", (unsigned long)readonly);

    char *rwx = page(PROT_READ | PROT_WRITE | PROT_EXEC);
    char *rx = page(PROT_READ | PROT_EXEC);
    char *written = page(PROT_READ | PROT_WRITE | PROT_EXEC);
    step(phases[0], rwx, 1);
    step(phases[1], rwx, 0);
    step(phases[2], rwx, 1);
    step(phases[3], rx, 1);
    step(phases[4], written, 0);
    step(phases[5], written, 1);

    probe_report();
    return 0;
}
