/* page-walk.yaml on Linux. The scenario's toy layout has 64-byte pages;
 * here tiny page p is Linux page p of a 1 MiB reservation (same offset in
 * the page), so that what is a new page there is a new page here: code
 * (tiny 0x400, 256 bytes) is 4 pages r-x from page 16, data (tiny 0x2000,
 * 1 KiB) 16 pages rw- from page 128, and the rest of the reservation is
 * unmapped, so that tiny 0x3F00 (page 252) lies in no mapping at all.
 *
 * The fetch from "code" runs never-written memory: the fault maps the
 * zero page, whose bytes 00 00 decode as add %al,(%rax), with %rax
 * pointing at the code itself, so the instruction's write is refused with
 * SEGV_ACCERR (noted) right after the fetch that the chapter measures. */
#include "probe.h"

#include <sys/mman.h>

static const char *const chapters[] = {"The first walk", "Same table, new page", "The TLB saves the walk",
                                       "Code", "A bad address", NULL};

static char *base;

/* The Linux address of a tiny-layout address. */
static char *at(unsigned tiny)
{
    return base + (tiny / 64) * PAGE + tiny % 64;
}

int main(void)
{
    struct mark m;
    struct sig_rec sig;
    char text[200];
    probe_init(chapters);
    probe_check_empty();
    /* The zero page's frame, to recognise it. */
    char *z = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    probe_area(z, PAGE);
    probe_read(z);
    uint64_t zero_pfn = pagemap_pfn(pagemap_entry(z));
    /* No mmap after the areas are placed: it could land in their holes. */
    base = mmap(NULL, 256 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return 2;
    munmap(base, 256 * PAGE); /* the whole range is free now */
    char *code = mmap(at(0x400), 4 * PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS |
                      MAP_FIXED_NOREPLACE, -1, 0);
    char *data = mmap(at(0x2000), 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
                      MAP_FIXED_NOREPLACE, -1, 0);
    if (code != at(0x400) || data != at(0x2000))
        probe_skip("could not place the areas");
    probe_area(base, 256 * PAGE);

    probe_settle();
    mark_begin(&m);
    probe_read(at(0x225B));
    mark_end(&m, "The first walk");

    probe_settle();
    mark_begin(&m);
    *(volatile char *)at(0x2040) = 1;
    mark_end(&m, "Same table, new page");

    probe_settle();
    mark_begin(&m);
    probe_read(at(0x225F));
    mark_end(&m, "The TLB saves the walk");

    probe_settle();
    mark_begin(&m);
    probe_try(probe_fetch, at(0x410), &sig);
    mark_end(&m, "Code");
    sig_describe(&sig, text, sizeof text);
    note("code_fetch_then=%s (the zero bytes' add writes to r-x memory)", text);
    if (pfn_visible() == 1)
        note("code_page_frame=%s", pagemap_pfn(pagemap_entry(code)) == zero_pfn ? "the zero page"
                                                                                 : "a frame of its own");

    probe_settle();
    mark_begin(&m);
    probe_try(probe_read, at(0x3F00), &sig);
    mark_end(&m, "A bad address");
    sig_describe(&sig, text, sizeof text);
    note("bad_address=%s", text);

    probe_report();
    return 0;
}
