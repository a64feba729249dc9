/* Case: writes through a MAP_SHARED mapping of a file on a disk
 * filesystem. The 256 KiB file is written and fsynced first, so every
 * page is in the page cache and clean. The mapping is 2 MiB-aligned (the
 * fault-around window is aligned in the address space). Each chapter is
 * one access; the notes say how many of the file's pages were mapped
 * after it (pagemap), which shows fault-around, and what the file's page
 * cache folios are (kpageflags, when frame numbers are visible). */
#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define NPAGES 64

static char *map;

static int mapped(void)
{
    int n = 0;
    for (int i = 0; i < NPAGES; i++)
        n += pagemap_present(pagemap_entry(map + i * PAGE));
    return n;
}

static void step(const char *phase, int page, int write)
{
    struct mark m;
    probe_settle();
    mark_begin(&m);
    if (write)
        map[page * PAGE + 1] = 'W';
    else
        (void)*(volatile char *)(map + page * PAGE);
    mark_end(&m, phase);
    note("mapped_after[%s]=%d/64", phase, mapped());
}

int main(void)
{
    static const char *const phases[] = {
        "write a clean cached page not yet mapped",
        "write its neighbour, mapped by that fault",
        "read a clean cached page not yet mapped",
        "write the page just read",
        "write a page that fault-around mapped",
        "write a page dirtied by write(2), not yet mapped",
        "write a page already written through the mapping",
        "write it again after fsync cleaned it",
        NULL};
    char path[600];
    probe_init(phases);
    probe_check_empty();
    const char *dir = probe_tmpdir();
    if (!dir)
        probe_skip("no directory on a disk filesystem for the file (every candidate is tmpfs)");
    snprintf(path, sizeof path, "%s/shared.bin", dir);
    int fd = make_file(path, NPAGES * PAGE);
    if (fd < 0)
        probe_skip("cannot create a file in %s", dir);
    char *raw = mmap(NULL, 4 * MiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    map = (char *)(((uintptr_t)raw + 2 * MiB - 1) & ~(2 * MiB - 1));
    if (mmap(map, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) != map)
        return 2;
    probe_area(raw, 4 * MiB);
    note("cached_pages=%ld/64", resident_pages(map, NPAGES * PAGE));

    step(phases[0], 0, 1);
    step(phases[1], 1, 1);
    step(phases[2], 16, 0);
    step(phases[3], 16, 1);
    step(phases[4], 17, 1);
    if (pwrite(fd, "D", 1, 32 * PAGE) != 1)
        return 2;
    step(phases[5], 32, 1);
    step(phases[6], 0, 1);
    fsync(fd);
    step(phases[7], 0, 1);

    fill_read(map, NPAGES * PAGE, PAGE);
    note("file_folios=%s", folio_runs(map, NPAGES));
    close(fd);
    probe_rmdir();
    probe_report();
    return 0;
}
