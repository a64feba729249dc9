/* Case: fault-around. A 256 KiB file (64 pages), every page in the page
 * cache, mapped MAP_PRIVATE PROT_READ at a 2 MiB-aligned address (the
 * fault-around window is aligned in the virtual address space and stays
 * within one page table). Read page 0, then pages 1-15, then 16-63, one
 * access per page, each measured on its own. Linux's default window is
 * fault_around_bytes = 64 KiB (16 pages), readable only in debugfs; the
 * number of pages mapped after the first read shows the window in use.
 * Done twice: with the page cache filled by write(2) (the file was just
 * written) and filled by read(2) after the cache was dropped (readahead
 * builds the cache then); and once with MADV_RANDOM. */
#include "probe.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define NPAGES 64

static char *map_aligned(int fd)
{
    char *raw = mmap(NULL, 4 * MiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *at = (char *)(((uintptr_t)raw + 2 * MiB - 1) & ~(2 * MiB - 1));
    char *p = mmap(at, NPAGES * PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
    if (p == MAP_FAILED)
        exit(2);
    probe_area(raw, 4 * MiB);
    return p;
}

static int mapped(char *p, int n)
{
    int count = 0;
    for (int i = 0; i < n; i++)
        count += pagemap_present(pagemap_entry(p + i * PAGE));
    return count;
}

/* The three phases, named "read page 0" and so on, then " (how)". */
static void run(int fd, const char *how, int random_advice)
{
    char name[3][160];
    char *p = map_aligned(fd);
    if (random_advice)
        madvise(p, NPAGES * PAGE, MADV_RANDOM);
    snprintf(name[0], sizeof name[0], "read page 0%s%s%s", *how ? " (" : "", how, *how ? ")" : "");
    snprintf(name[1], sizeof name[1], "read pages 1-15%s%s%s", *how ? " (" : "", how, *how ? ")" : "");
    snprintf(name[2], sizeof name[2], "read pages 16-63%s%s%s", *how ? " (" : "", how, *how ? ")" : "");
    probe_settle();
    note("pattern[%s]=%s", name[0], touch_pages(p, 1, 0, name[0]));
    note("mapped_after[%s]=%d/64", name[0], mapped(p, NPAGES));
    note("pattern[%s]=%s", name[1], touch_pages(p + PAGE, 15, 0, name[1]));
    note("pattern[%s]=%s", name[2], touch_pages(p + 16 * PAGE, 48, 0, name[2]));
}

int main(void)
{
    char path[600], around[64];
    static char buf[NPAGES * PAGE];
    probe_init(NULL);
    probe_check_empty();
    read_line("/sys/kernel/debug/fault_around_bytes", around, sizeof around);
    note("fault_around_bytes=%s", around[0] ? around : "unreadable (debugfs not mounted or no access)");
    const char *dir = probe_tmpdir();
    if (!dir)
        probe_skip("no directory on a disk filesystem for the file (every candidate is tmpfs)");
    snprintf(path, sizeof path, "%s/around.bin", dir);
    int fd = make_file(path, NPAGES * PAGE);
    if (fd < 0)
        probe_skip("cannot create a file in %s", dir);
    note("cached_pages=%ld/64", resident_pages(map_aligned(fd), NPAGES * PAGE));

    run(fd, "", 0);

    drop_cache(fd);
    if (pread(fd, buf, sizeof buf, 0) != (ssize_t)sizeof buf)
        return 2;
    run(fd, "cache filled by read(2)", 0);
    run(fd, "cache filled by read(2), MADV_RANDOM", 1);

    close(fd);
    probe_rmdir();
    probe_report();
    return 0;
}
