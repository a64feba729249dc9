/* Case: the top of the user address space. x86-64 Linux with 4-level
 * paging keeps the last page below 2^47 out of user space (TASK_SIZE is
 * 0x7ffffffff000). The probe asks for one anonymous page with
 * MAP_FIXED_NOREPLACE at 0x7ffffffff000 and at 0x7fffffffe000, notes what
 * mmap returned (or its errno), and writes to each page it got. */
#include "probe.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

static void try_at(uintptr_t want, const char *phase)
{
    struct mark m;
    void *p = mmap((void *)want, PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    int err = errno;
    if (p == MAP_FAILED) {
        note("mmap[%#lx]=refused errno=%s (%s)", (unsigned long)want,
             err == ENOMEM ? "ENOMEM" : err == EEXIST ? "EEXIST" : err == EINVAL ? "EINVAL" : "other",
             strerror(err));
        phase_skip(phase, "mmap refused the page (errno %d)", err);
        return;
    }
    note("mmap[%#lx]=%s%#lx", (unsigned long)want, (uintptr_t)p == want ? "granted at " : "moved to ",
         (unsigned long)(uintptr_t)p);
    probe_area(p, PAGE);
    probe_settle();
    mark_begin(&m);
    *(volatile char *)p = 1;
    mark_end(&m, phase);
    munmap(p, PAGE);
}

int main(void)
{
#ifndef __x86_64__
    probe_skip("not x86-64");
#else
    static const char *const phases[] = {"write one page mapped at 0x7ffffffff000",
                                         "write one page mapped at 0x7fffffffe000", NULL};
    probe_init(phases);
    probe_check_empty();
    note("la57=%s", cpu_flag("la57") ? "the CPU has it (user space may reach above 2^47 on request)"
                                     : "absent");
    try_at(0x7ffffffff000UL, phases[0]);
    try_at(0x7fffffffe000UL, phases[1]);
    probe_report();
    return 0;
#endif
}
