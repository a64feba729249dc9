/* Case: a user-mode read, write and fetch of a kernel-half address,
 * 0xffffffff81000000 (where the x86-64 kernel text starts without
 * KASLR), and a read of 0xffff800000000000, in the guard hole at the start
 * of the kernel half that nothing ever maps. The addresses are canonical,
 * so the CPU raises a page fault; Linux answers with SIGSEGV. The probe notes what its SIGSEGV handler received:
 * si_code, si_addr, and the page-fault error code (REG_ERR: 0x1 present,
 * 0x2 write, 0x4 user, 0x10 fetch) and trap number from the ucontext.
 * Linux reports every user access to a kernel address with the present
 * bit set, whatever the page tables hold, so as not to reveal the
 * kernel's layout; the Meltdown mitigation (page-table isolation) state
 * is noted too. */
#include "probe.h"

int main(void)
{
#ifndef __x86_64__
    probe_skip("not x86-64");
#else
    static const char *const phases[] = {"read 0xffffffff81000000", "write 0xffffffff81000000",
                                         "fetch 0xffffffff81000000", "read 0xffff800000000000",
                                         NULL};
    static void (*const how[])(void *) = {probe_read, probe_write, probe_fetch, probe_read};
    static const uintptr_t addr[] = {0xffffffff81000000UL, 0xffffffff81000000UL,
                                     0xffffffff81000000UL, 0xffff800000000000UL};
    char meltdown[200];
    probe_init(phases);
    probe_check_empty();
    read_line("/sys/devices/system/cpu/vulnerabilities/meltdown", meltdown, sizeof meltdown);
    note("meltdown=%s", meltdown[0] ? meltdown : "unknown");
    for (int h = 0; h < 4; h++) {
        struct mark m;
        struct sig_rec sig;
        char text[200];
        probe_settle();
        mark_begin(&m);
        probe_try(how[h], (void *)addr[h], &sig);
        mark_end(&m, phases[h]);
        sig_describe(&sig, text, sizeof text);
        note("signal[%s]=%s", phases[h], text);
    }
    probe_report();
    return 0;
#endif
}
