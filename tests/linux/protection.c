/* protection.yaml on Linux: "text" (8 KiB, r-x) and "data" (16 KiB, rw-),
 * private anonymous, 2 MiB apart with nothing mapped between them, as the
 * scenario's 0x400000, 0x500000 and 0x600000. A SIGSEGV handler records
 * si_code, si_addr and the x86 error code of each refused access (notes)
 * and the probe goes on, as the scenario does.
 *
 * "exec: text" fetches from never-written memory: the fault maps the zero
 * page, whose bytes 00 00 decode as add %al,(%rax), with %rax pointing at
 * the text itself, so that instruction's write is refused (SEGV_ACCERR,
 * noted as normal_exec_then) right after the fetch.
 *
 * "Not a user address" reads a non-canonical address and one in the
 * kernel half, as the scenario's last chapter does. */
#include "probe.h"

#include <sys/mman.h>

static const char *const chapters[] = {"Normal accesses", "Outside every area", "Forbidden by the area",
                                       "mprotect", "Not a user address", NULL};

/* What each refused access raised, noted after the measured region. */
static struct {
    const char *key;
    struct sig_rec sig;
} seen[8];
static int nseen;

static void access_logged(const char *key, void (*fn)(void *), void *p)
{
    seen[nseen].key = key;
    probe_try(fn, p, &seen[nseen].sig);
    nseen++;
}

static void note_signals(void)
{
    char text[200];
    for (int i = 0; i < nseen; i++) {
        sig_describe(&seen[i].sig, text, sizeof text);
        note("%s=%s", seen[i].key, text);
    }
    nseen = 0;
}

int main(void)
{
    struct mark m;
    long minor, major;
    probe_init(chapters);
    probe_check_empty();
    /* No mmap after the areas are placed: it could land in the hole. */
    char *base = mmap(NULL, 3 * MiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return 2;
    munmap(base, 3 * MiB);
    char *text = mmap(base, 8 * KiB, PROT_READ | PROT_EXEC,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    char *data = mmap(base + 2 * MiB, 16 * KiB, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (text != base || data != base + 2 * MiB)
        probe_skip("could not place the areas");
    probe_area(base, 3 * MiB);

    probe_settle();
    mark_begin(&m);
    access_logged("normal_exec_then", probe_fetch, text);
    probe_write(data);
    mark_end(&m, "Normal accesses");
    note_signals();

    probe_settle();
    mark_begin(&m);
    access_logged("outside_every_area", probe_read, base + 1 * MiB);
    mark_end(&m, "Outside every area");
    note_signals();

    probe_settle();
    mark_begin(&m);
    access_logged("write_to_text", probe_write, text + 0x10);
    access_logged("exec_from_data", probe_fetch, data);
    mark_end(&m, "Forbidden by the area");
    note_signals();

    uint64_t frame = pagemap_pfn(pagemap_entry(data));
    probe_settle();
    mark_begin(&m);
    mprotect(data, 16 * KiB, PROT_READ);
    probe_read(data + 0x8);
    access_logged("write_after_mprotect_read_only", probe_write, data + 0x10);
    mark_end(&m, "mprotect");
    note_signals();
    probe_settle();
    mark_begin(&m);
    mprotect(data, 16 * KiB, PROT_READ | PROT_WRITE);
    probe_write(data + 0x18);
    mark_delta(&m, &minor, &major);
    phase_add("mprotect", minor, major);
    note("write_after_mprotect_back_to_rw=%ld/%ld faults", minor, major);
    if (pfn_visible() == 1)
        note("data_page_kept_its_frame=%s", pagemap_pfn(pagemap_entry(data)) == frame ? "yes" : "no");

    /* A non-canonical address (#GP: SI_KERNEL, address 0, trap 13) and one
     * in the kernel half (SEGV_MAPERR, trap 14, error code 0x5). */
    probe_settle();
    mark_begin(&m);
    access_logged("read_noncanonical", probe_read, (void *)0x800000000000UL);
    access_logged("read_kernel_half", probe_read, (void *)0xffffffff81000000UL);
    mark_end(&m, "Not a user address");
    note_signals();

    probe_report();
    return 0;
}
