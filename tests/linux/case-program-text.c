/* Case: faults on the program's own text. Four 256 KiB blocks of code
 * (nops ending in ret) sit in this executable's text segment, each at the
 * start of a 2 MiB-aligned region of its own (a page-cache folio is at
 * most 2 MiB and aligned to its size, so no folio holds pages of two
 * blocks, and no fault-around window reaches from one to another);
 * pagemap checks that none of a block's pages is mapped before its
 * chapter. First, the regions of blocks C and D are dropped from the page
 * cache (fsync, then POSIX_FADV_DONTNEED on the executable); mincore
 * checks what is cached. Then block A is executed and block B read (one
 * byte per page) as the page cache holds them, which on a run right after
 * the build is as the linker wrote them, and block D is read and block
 * C executed after the drop (in that order: readahead runs forwards, and
 * a fault on a page that readahead is still reading is a minor one).
 *
 * Linux 6.x keeps file pages in folios of several sizes, and a read fault
 * maps whole folios: the notes give the folios behind each block, in
 * pages, as /proc/kpageflags shows them (frame numbers needed). */
#include "probe.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BLOCK (256 * 1024)
#define REGION (2 * 1024 * 1024)

#define SLED(name)                                                                            \
    ".balign 2097152\n.globl " name "\n.type " name ",@function\n" name                      \
    ":\n.fill 262143,1,0x90\nret\n.size " name ",262144\n"
__asm__(".pushsection .text.vmviz_blocks,\"ax\",@progbits\n"
        ".balign 2097152\n.globl blocks_start\nblocks_start:\n" SLED("block_a") SLED("block_b")
            SLED("block_c") SLED("block_d") ".balign 2097152\n.globl blocks_end\nblocks_end:\n"
        ".popsection\n");
void block_a(void);
void block_b(void);
void block_c(void);
void block_d(void);
extern char blocks_start[], blocks_end[];

static int mapped(const char *p)
{
    int n = 0;
    for (size_t i = 0; i < BLOCK; i += PAGE)
        n += pagemap_present(pagemap_entry(p + i));
    return n;
}

static int before(const char *phase, const char *p)
{
    int m = mapped(p);
    note("before[%s]: mapped=%d/64 cached=%ld/64", phase, m, resident_pages(p, BLOCK));
    if (m > 0)
        phase_skip(phase, "%d of its pages were mapped before it began", m);
    return m == 0;
}

static long vm_major; /* /proc/vmstat pgmajfault before the chapter (system-wide) */

static void after(const char *phase, const char *p)
{
    note("after[%s]: mapped=%d/64 cached=%ld/64 vmstat_pgmajfault=+%ld folios=%s", phase, mapped(p),
         resident_pages(p, BLOCK), vmstat_get("pgmajfault") - vm_major, folio_runs(p, BLOCK / PAGE));
}

static void execute(const char *phase, void (*block)(void))
{
    struct mark m;
    const char *p = (const char *)(uintptr_t)block;
    probe_settle();
    if (!before(phase, p))
        return;
    vm_major = vmstat_get("pgmajfault");
    mark_begin(&m);
    block();
    mark_end(&m, phase);
    after(phase, p);
}

static void read_block(const char *phase, void (*block)(void))
{
    char *p = (char *)(uintptr_t)block;
    probe_settle();
    if (!before(phase, p))
        return;
    vm_major = vmstat_get("pgmajfault");
    note("pattern[%s]=%s", phase, touch_pages(p, BLOCK / PAGE, 0, phase));
    after(phase, p);
}

int main(void)
{
    static const char *const phases[] = {
        "execute 256 KiB of program text, cached", "read 256 KiB of program text, cached",
        "execute 256 KiB of program text, evicted", "read 256 KiB of program text, evicted", NULL};
    char *c = (char *)(uintptr_t)block_c, *d = (char *)(uintptr_t)block_d;
    probe_init(phases);
    probe_area(blocks_start, (size_t)(blocks_end - blocks_start));
    probe_check_empty();
    note("blocks_2MiB_aligned=%s", (uintptr_t)block_a % REGION == 0 ? "yes" : "no");

    /* Drop the regions of C and D, before anything maps them. */
    int fd = open("/proc/self/exe", O_RDONLY);
    long off = file_offset_of(c);
    if (fd >= 0 && off >= 0) {
        fsync(fd); /* dirty pages (a fresh build) cannot be dropped */
        posix_fadvise(fd, off, 2 * REGION, POSIX_FADV_DONTNEED);
    }
    if (fd >= 0)
        close(fd);
    note("after_drop: cached a=%ld b=%ld c=%ld d=%ld (of 64)", resident_pages((char *)block_a, BLOCK),
         resident_pages((char *)block_b, BLOCK), resident_pages(c, BLOCK), resident_pages(d, BLOCK));

    execute(phases[0], block_a);
    read_block(phases[1], block_b);
    /* D before C: readahead runs forwards, and a read fault on a page that
     * readahead is still bringing in is a minor fault. */
    if (resident_pages(d, BLOCK) != 0)
        phase_skip(phases[3], "the page cache kept %ld of its pages", resident_pages(d, BLOCK));
    else
        read_block(phases[3], block_d);
    if (resident_pages(c, BLOCK) != 0)
        phase_skip(phases[2], "the page cache kept %ld of its pages", resident_pages(c, BLOCK));
    else
        execute(phases[2], block_c);
    probe_report();
    return 0;
}
