/* zero-page.yaml on Linux: read 1 MiB of fresh malloc'd memory one access
 * per page, write it one access per page, write it again at a 512-byte
 * stride. pagemap shows whether the reads mapped the shared zero page
 * (when frame numbers are visible) and smaps how RSS grew. */
#include "probe.h"

#include <stdlib.h>
#include <sys/mman.h>

#define SIZE (1024 * 1024)

static const char *const chapters[] = {"malloc", "Reading", "Writing", "Again", NULL};

int main(void)
{
    probe_init(chapters);
    probe_check_empty();
    free(malloc(64)); /* malloc set up, as in a program that printed first */

    /* The frame of the zero page: what a read of fresh memory maps. */
    char *z = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    probe_area(z, PAGE);
    (void)*(volatile char *)z;
    uint64_t zero_pfn = pagemap_pfn(pagemap_entry(z));
    int visible = pfn_visible();

    struct mark m;
    probe_settle();
    mark_begin(&m);
    char *p = malloc(SIZE);
    mark_end(&m, "malloc");
    if (!p)
        return 2;
    probe_area(p, SIZE);

    probe_settle();
    long rss_before = smaps_get(p, "Rss");
    mark_begin(&m);
    fill_read(p, SIZE, PAGE);
    mark_end(&m, "Reading");
    long on_zero = 0;
    for (size_t i = 0; i < SIZE; i += PAGE)
        on_zero += pagemap_pfn(pagemap_entry(p + i)) == zero_pfn;
    if (visible == 1)
        note("pages_on_zero_frame_after_reading=%ld/256", on_zero);
    note("rss_kB_before_reading=%ld after_reading=%ld", rss_before, smaps_get(p, "Rss"));

    probe_settle();
    mark_begin(&m);
    fill_write(p, SIZE, PAGE);
    mark_end(&m, "Writing");
    note("rss_kB_after_writing=%ld", smaps_get(p, "Rss"));

    probe_settle();
    mark_begin(&m);
    fill_write(p, SIZE, 512);
    mark_end(&m, "Again");
    note("malloc_offset_in_page=%lu (glibc's chunk header is in the first page, which malloc "
         "already wrote)", (unsigned long)p % PAGE);

    /* The scenario's own operation, a bare mmap, for comparison. */
    long r_minor, r_major, w_minor, w_major;
    char *q = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    probe_area(q, SIZE);
    probe_settle();
    mark_begin(&m);
    fill_read(q, SIZE, PAGE);
    mark_delta(&m, &r_minor, &r_major);
    probe_settle();
    mark_begin(&m);
    fill_write(q, SIZE, PAGE);
    mark_delta(&m, &w_minor, &w_major);
    note("with_mmap_instead_of_malloc: reading=%ld/%ld writing=%ld/%ld", r_minor, r_major, w_minor,
         w_major);

    probe_report();
    return 0;
}
