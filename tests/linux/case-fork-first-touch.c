/* Case: what a child's first touches cost after fork, page by page.
 *
 * Before fork the parent sets up, 16 pages each unless said otherwise:
 *   shw   MAP_SHARED anonymous, every page written (the child writes first)
 *   shr   the same (the child reads first)
 *   file  a MAP_PRIVATE PROT_READ|PROT_WRITE mapping of a fully cached
 *         256 KiB file (64 pages, 2 MiB-aligned), every page read, none
 *         written
 *   zero  private anonymous, every page only read (the zero page)
 *   mixed private anonymous, page 0 written, pages 1-15 only read
 *   cow   private anonymous, every page written
 * Then the child touches them and each page is measured on its own (the
 * patterns: '.' no fault, 'm' minor, 'M' major). Linux's fork copies the
 * page tables only of mappings that hold anonymous pages (an anon_vma):
 * the patterns show which ones a child has to fault in again. Each
 * region is a mapping of its own (adjacent anonymous mappings would
 * otherwise merge into one and share one anon_vma). */
#include "probe.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

enum { SHW, SHR, ZERO, MIXED, COW, NREG };
static char *reg[NREG];
static char *file;
static uint64_t (*parent_frame)[16]; /* MAP_SHARED */
static uint64_t zero_pfn;

/* Pages [0, n) of r whose frame is the parent's, or the zero page. */
static int on_parent_frames(int r, int n)
{
    int same = 0;
    for (int i = 0; i < n; i++)
        same += pagemap_pfn(pagemap_entry(reg[r] + i * PAGE)) == parent_frame[r][i];
    return same;
}
static int on_zero_page(char *p, int n)
{
    int same = 0;
    for (int i = 0; i < n; i++)
        same += pagemap_pfn(pagemap_entry(p + i * PAGE)) == zero_pfn;
    return same;
}

static void child(struct link *l)
{
    const char *pat;
    int vis;
    wait_parent(l);
    vis = pfn_visible() == 1;

    pat = touch_pages(reg[SHW], 16, 1, "child writes shared anonymous the parent wrote");
    note("shared_first_write=%s", pat);
    if (vis)
        note("shared_on_parents_frames=%d/16", on_parent_frames(SHW, 16));

    pat = touch_pages(reg[SHR], 16, 0, "child reads shared anonymous the parent wrote");
    note("shared_first_read=%s", pat);
    pat = touch_pages(reg[SHR], 16, 1, "child then writes the shared anonymous it read");
    note("shared_write_after_read=%s", pat);

    pat = touch_pages(file, 64, 0, "child reads a never-written private file mapping the parent read");
    note("file_first_read=%s (64 pages)", pat);
    note("file_folios=%s", folio_runs(file, 64));

    pat = touch_pages(reg[ZERO], 16, 0, "child reads private anonymous the parent only read");
    note("zero_first_read=%s", pat);
    if (vis)
        note("zero_read_on_zero_page=%d/16", on_zero_page(reg[ZERO], 16));
    pat = touch_pages(reg[ZERO], 16, 1, "child then writes the private anonymous it read");
    note("zero_write_after_read=%s", pat);

    pat = touch_pages(reg[MIXED] + PAGE, 15, 0,
                      "child reads pages 1-15 of private anonymous, parent wrote page 0 only");
    note("mixed_first_read=%s (pages 1-15)", pat);

    pat = touch_pages(reg[COW], 16, 0, "child reads private anonymous the parent wrote");
    note("cow_first_read=%s", pat);
    if (vis)
        note("cow_read_on_parents_frames=%d/16", on_parent_frames(COW, 16));
    pat = touch_pages(reg[COW], 16, 1, "child then writes the private anonymous the parent wrote");
    note("cow_first_write=%s", pat);
    if (vis)
        note("cow_write_on_parents_frames=%d/16 (0: every page copied)", on_parent_frames(COW, 16));
    give_parent(l);
    wait_parent(l);
}

int main(void)
{
    static const char *const phases[] = {
        "child writes shared anonymous the parent wrote",
        "child reads shared anonymous the parent wrote",
        "child then writes the shared anonymous it read",
        "child reads a never-written private file mapping the parent read",
        "child reads private anonymous the parent only read",
        "child then writes the private anonymous it read",
        "child reads pages 1-15 of private anonymous, parent wrote page 0 only",
        "child reads private anonymous the parent wrote",
        "child then writes the private anonymous the parent wrote",
        "parent then writes it (the child copied every page)",
        NULL};
    struct link l;
    char path[600];
    probe_init(phases);
    probe_check_empty();
    const char *dir = probe_tmpdir();
    if (!dir)
        probe_skip("no directory on a disk filesystem for the file (every candidate is tmpfs)");
    snprintf(path, sizeof path, "%s/file.bin", dir);
    int fd = make_file(path, 256 * KiB); /* written: every page cached */
    if (fd < 0)
        probe_skip("cannot create a file in %s", dir);

    parent_frame = mmap(NULL, NREG * 16 * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    for (int r = 0; r < NREG; r++) {
        int shared = r == SHW || r == SHR;
        /* A PROT_NONE page at each end keeps the mapping from merging
         * with its neighbour: each region must be a mapping of its own. */
        char *p = mmap(NULL, 18 * PAGE, PROT_READ | PROT_WRITE,
                       (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
        mprotect(p, PAGE, PROT_NONE);
        mprotect(p + 17 * PAGE, PAGE, PROT_NONE);
        reg[r] = p + PAGE;
        probe_area(p, 18 * PAGE);
    }
    /* 2 MiB-aligned: a fault-around window never crosses a page table. */
    char *raw = mmap(NULL, 4 * MiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    file = (char *)(((uintptr_t)raw + 2 * MiB - 1) & ~(2 * MiB - 1));
    if (mmap(file, 256 * KiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0) != file)
        return 2;
    probe_area(raw, 4 * MiB);
    char *z = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    probe_area(z, PAGE);

    fill_write(reg[SHW], 16 * PAGE, PAGE);
    fill_write(reg[SHR], 16 * PAGE, PAGE);
    fill_read(file, 256 * KiB, PAGE);
    fill_read(reg[ZERO], 16 * PAGE, PAGE);
    fill_write(reg[MIXED], PAGE, PAGE);
    fill_read(reg[MIXED] + PAGE, 15 * PAGE, PAGE);
    fill_write(reg[COW], 16 * PAGE, PAGE);
    fill_read(z, PAGE, PAGE);
    zero_pfn = pagemap_pfn(pagemap_entry(z));
    for (int r = 0; r < NREG; r++)
        for (int i = 0; i < 16; i++)
            parent_frame[r][i] = pagemap_pfn(pagemap_entry(reg[r] + i * PAGE));

    pid_t pid = fork_linked(&l);
    if (pid == 0) {
        child(&l);
        _exit(0);
    }
    give_child(&l);
    probe_settle();
    note("parent_write_after_child_copied=%s",
         touch_pages(reg[COW], 16, 1, "parent then writes it (the child copied every page)"));
    if (pfn_visible() == 1)
        note("parent_kept_its_frames=%d/16 (16: reused, no copy)", on_parent_frames(COW, 16));
    close(l.down[1]);
    reap(pid);
    close(fd);
    probe_rmdir();
    probe_report();
    return 0;
}
