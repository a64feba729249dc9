/* huge-pages.yaml on Linux: a 4 MiB anonymous array with ordinary pages
 * (MADV_NOHUGEPAGE, so that the result does not depend on the host's THP
 * setting) and a 2 MiB-aligned 4 MiB array with MADV_HUGEPAGE, each
 * written one access per 4 KiB page, then both read at a 64-byte stride;
 * then a third 2 MiB-aligned 2 MiB range with MADV_HUGEPAGE is read (the
 * huge zero page) and written (a huge page of its own).
 * thp_fault_alloc and thp_fault_fallback (/proc/vmstat) and smaps
 * AnonHugePages say whether huge pages were really used. */
#include "probe.h"

#include <string.h>
#include <sys/mman.h>

static const char *const chapters[] = {"Small pages", "Huge pages", "TLB reach",
                                       "Read before write", NULL};

/* A 2 MiB-aligned anonymous range of size bytes. */
static char *aligned_map(size_t size)
{
    char *raw = mmap(NULL, size + 2 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    char *p = (char *)(((uintptr_t)raw + 2 * MiB - 1) & ~(2 * MiB - 1));
    if (p > raw)
        munmap(raw, (size_t)(p - raw));
    munmap(p + size, (size_t)(raw + size + 2 * MiB - (p + size)));
    return p;
}

/* One pass over the 2 MiB range, counted in "Read before write", and how
 * much the /proc/vmstat counter that says what happened moved. */
static void touch_fresh(char *fresh, int write, const char *counter)
{
    struct mark m;
    probe_settle();
    long before = vmstat_get(counter);
    mark_begin(&m);
    if (write)
        fill_write(fresh, 2 * MiB, PAGE);
    else
        fill_read(fresh, 2 * MiB, PAGE);
    mark_end(&m, "Read before write");
    note("%s: %s=+%ld fresh_AnonHugePages_kB=%ld", write ? "write" : "read", counter,
         vmstat_get(counter) - before, smaps_get(fresh, "AnonHugePages"));
}

int main(void)
{
    char thp[64], defrag[64];
    probe_init(chapters);
    probe_check_empty();
    sysfs_choice("/sys/kernel/mm/transparent_hugepage/enabled", thp, sizeof thp);
    sysfs_choice("/sys/kernel/mm/transparent_hugepage/defrag", defrag, sizeof defrag);
    note("thp_enabled=%s thp_defrag=%s", thp[0] ? thp : "absent", defrag[0] ? defrag : "absent");

    char *small = aligned_map(4 * MiB), *big = aligned_map(4 * MiB), *fresh = aligned_map(2 * MiB);
    if (!small || !big || !fresh)
        return 2;
    madvise(small, 4 * MiB, MADV_NOHUGEPAGE);
    probe_area(small, 4 * MiB);
    probe_area(big, 4 * MiB);
    probe_area(fresh, 2 * MiB);
    int thp_ok = (strcmp(thp, "always") == 0 || strcmp(thp, "madvise") == 0) &&
                 madvise(big, 4 * MiB, MADV_HUGEPAGE) == 0 &&
                 madvise(fresh, 2 * MiB, MADV_HUGEPAGE) == 0;
    int tlb = dtlb_open();

    struct mark m;
    probe_settle();
    mark_begin(&m);
    fill_write(small, 4 * MiB, PAGE);
    mark_end(&m, "Small pages");
    note("small_AnonHugePages_kB=%ld", smaps_get(small, "AnonHugePages"));

    if (thp_ok) {
        probe_settle();
        long alloc = vmstat_get("thp_fault_alloc"), fallback = vmstat_get("thp_fault_fallback");
        mark_begin(&m);
        fill_write(big, 4 * MiB, PAGE);
        mark_end(&m, "Huge pages");
        note("thp_fault_alloc=+%ld thp_fault_fallback=+%ld big_AnonHugePages_kB=%ld",
             vmstat_get("thp_fault_alloc") - alloc, vmstat_get("thp_fault_fallback") - fallback,
             smaps_get(big, "AnonHugePages"));
    } else {
        phase_skip("Huge pages", "transparent huge pages are '%s' on this host (MADV_HUGEPAGE needs "
                   "always or madvise)", thp[0] ? thp : "absent");
        fill_write(big, 4 * MiB, PAGE); /* unmeasured: the next chapter reads it */
    }

    probe_settle();
    long t0 = dtlb_read(tlb);
    mark_begin(&m);
    fill_read(small, 4 * MiB, 64);
    mark_end(&m, "TLB reach");
    long t1 = dtlb_read(tlb);
    mark_begin(&m);
    fill_read(big, 4 * MiB, 64);
    mark_end(&m, "TLB reach");
    long t2 = dtlb_read(tlb);
    if (tlb >= 0)
        note("dtlb_load_misses small=%ld big=%ld", t1 - t0, t2 - t1);

    if (thp_ok) {
        touch_fresh(fresh, 0, "thp_zero_page_alloc");
        touch_fresh(fresh, 1, "thp_fault_alloc");
    } else {
        phase_skip("Read before write", "transparent huge pages are '%s' on this host",
                   thp[0] ? thp : "absent");
    }

    probe_report();
    return 0;
}
