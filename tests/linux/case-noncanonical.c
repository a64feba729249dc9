/* Case: accesses to non-canonical addresses. With 4-level paging an
 * address is canonical when bits 63-47 are all equal; 0x800000000000 and
 * 0x1000000000000000 are not. The CPU raises a general-protection fault
 * (#GP, trap 13) instead of a page fault, and Linux sends SIGSEGV with
 * si_code SI_KERNEL. The probe reads, writes and fetches at each address
 * and notes what its SIGSEGV handler received: si_code, si_addr, and the
 * trap number and error code from the ucontext (REG_TRAPNO, REG_ERR). */
#include "probe.h"

int main(void)
{
#ifndef __x86_64__
    probe_skip("not x86-64");
#else
    static const char *const phases[] = {
        "read 0x800000000000", "write 0x800000000000", "fetch 0x800000000000",
        "read 0x1000000000000000", "write 0x1000000000000000", "fetch 0x1000000000000000", NULL};
    static const uintptr_t addr[] = {0x800000000000UL, 0x1000000000000000UL};
    static void (*const how[])(void *) = {probe_read, probe_write, probe_fetch};
    probe_init(phases);
    probe_check_empty();
    note("la57=%s (with 5-level paging 0x800000000000 would be canonical)",
         cpu_flag("la57") ? "the CPU has it" : "absent");
    for (int a = 0; a < 2; a++) {
        for (int h = 0; h < 3; h++) {
            const char *phase = phases[a * 3 + h];
            struct mark m;
            struct sig_rec sig;
            char text[200];
            probe_settle();
            mark_begin(&m);
            probe_try(how[h], (void *)addr[a], &sig);
            mark_end(&m, phase);
            sig_describe(&sig, text, sizeof text);
            note("signal[%s]=%s", phase, text);
        }
    }
    probe_report();
    return 0;
#endif
}
