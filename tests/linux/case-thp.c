/* Case: transparent huge pages on a 2 MiB-aligned, 2 MiB private
 * anonymous region with MADV_HUGEPAGE. Region R is read first (one access
 * per 4 KiB page), then written; region W is written first, then read.
 * Each chapter notes the /proc/vmstat thp_* counters that moved (they
 * are system-wide, so another process's THP activity would show too),
 * smaps AnonHugePages, and whether the first page maps the huge zero
 * page (its frame number differs from the 4 KiB zero page's; when frame
 * numbers are visible). */
#include "probe.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static const char *const counters[] = {"thp_fault_alloc", "thp_fault_fallback",
                                       "thp_fault_fallback_charge", "thp_zero_page_alloc",
                                       "thp_split_pmd", "thp_split_page", "thp_deferred_split_page",
                                       NULL};
static long before_count[16];

static char *aligned_2m(void)
{
    char *raw = mmap(NULL, 6 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *p = (char *)(((uintptr_t)raw + 2 * MiB - 1) & ~(2 * MiB - 1));
    /* Keep the neighbours, made PROT_NONE: the region stays a mapping of
     * its own. */
    mprotect(raw, (size_t)(p - raw), PROT_NONE);
    mprotect(p + 2 * MiB, (size_t)(raw + 6 * MiB - (p + 2 * MiB)), PROT_NONE);
    probe_area(raw, 6 * MiB);
    return p;
}

static void step(const char *phase, char *p, int write)
{
    struct mark m;
    char moved[600] = "";
    size_t len = 0;
    probe_settle();
    for (int i = 0; counters[i]; i++)
        before_count[i] = vmstat_get(counters[i]);
    mark_begin(&m);
    if (write)
        fill_write(p, 2 * MiB, PAGE);
    else
        fill_read(p, 2 * MiB, PAGE);
    mark_end(&m, phase);
    for (int i = 0; counters[i]; i++) {
        long d = vmstat_get(counters[i]) - before_count[i];
        if (d)
            len += (size_t)snprintf(moved + len, sizeof moved - len, " %s=+%ld", counters[i], d);
    }
    note("vmstat[%s]=%s", phase, len ? moved + 1 : "no thp_* counter moved");
    note("AnonHugePages_kB[%s]=%ld", phase, smaps_get(p, "AnonHugePages"));
}

int main(void)
{
    static const char *const phases[] = {"read 2 MiB (MADV_HUGEPAGE), first touch",
                                         "write the same 2 MiB after the read",
                                         "write 2 MiB (MADV_HUGEPAGE), first touch",
                                         "read the same 2 MiB after the write", NULL};
    char thp[64], defrag[64], zero[64];
    probe_init(phases);
    sysfs_choice("/sys/kernel/mm/transparent_hugepage/enabled", thp, sizeof thp);
    sysfs_choice("/sys/kernel/mm/transparent_hugepage/defrag", defrag, sizeof defrag);
    read_line("/sys/kernel/mm/transparent_hugepage/use_zero_page", zero, sizeof zero);
    if (strcmp(thp, "always") != 0 && strcmp(thp, "madvise") != 0)
        probe_skip("transparent huge pages are '%s' here (MADV_HUGEPAGE needs always or madvise)",
                   thp[0] ? thp : "absent");
    note("thp_enabled=%s thp_defrag=%s use_zero_page=%s", thp, defrag, zero[0] ? zero : "unknown");
    probe_check_empty();

    char *z = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    probe_area(z, PAGE);
    (void)*(volatile char *)z;
    uint64_t zero_pfn = pagemap_pfn(pagemap_entry(z));

    char *r = aligned_2m(), *w = aligned_2m();
    if (madvise(r, 2 * MiB, MADV_HUGEPAGE) != 0 || madvise(w, 2 * MiB, MADV_HUGEPAGE) != 0)
        probe_skip("madvise(MADV_HUGEPAGE) failed");

    step(phases[0], r, 0);
    if (pfn_visible() == 1) {
        uint64_t first = pagemap_pfn(pagemap_entry(r));
        uint64_t last = pagemap_pfn(pagemap_entry(r + 2 * MiB - PAGE));
        long long f = kpage_flags(r);
        note("read_region_frames: %s, last-first=%ld (511: one contiguous 2 MiB run)",
             first == zero_pfn ? "the 4 KiB zero page"
             : f >= 0 && (f >> 24 & 1) ? "a zero page that is not the 4 KiB one: the huge zero page"
                                       : "not a zero page",
             (long)(last - first));
    }
    step(phases[1], r, 1);
    step(phases[2], w, 1);
    step(phases[3], w, 0);
    probe_report();
    return 0;
}
