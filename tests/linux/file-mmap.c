/* file-mmap.yaml on Linux: a 64 KiB file on a disk filesystem (not tmpfs)
 * whose pages 0-7 are in the page cache and 8-15 are not: the file is
 * written, fsynced and dropped with POSIX_FADV_DONTNEED, then pages 0-7
 * are read back through a descriptor with POSIX_FADV_RANDOM, so that no
 * readahead brings in more (mincore checks it). "reader" (this process)
 * maps it privately read-only and reads every page; "writer" (a child
 * forked before the chapters) maps the first 32 KiB shared and writes
 * every page, maps pages 8-11 shared, reads them and then writes them
 * (the first write to a shared file page mapped read-only faults: write
 * notification), maps the last 16 KiB privately writable and writes every
 * page, then writes 160 KiB of new anonymous memory. Each page is measured
 * on its own: the notes show which page faulted and how ('.' none, 'm'
 * minor, 'M' major), which is where fault-around and readahead show. */
#include "probe.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *const chapters[] = {"A private read-only mapping",
                                       "Another process, a shared mapping",
                                       "Read first, then written",
                                       "A private writable mapping", "Memory pressure", NULL};

#define FILE_SIZE (64 * KiB)

static char path[600];
static uint64_t *reader_frames; /* shared: the reader's frames of pages 0-15 */

/* "#" for a page in the page cache, "." for one that is not. */
static const char *cached_pages(int fd)
{
    static char s[17];
    char *p = mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
    for (int i = 0; i < 16; i++)
        s[i] = p != MAP_FAILED && resident_pages(p + i * PAGE, PAGE) == 1 ? '#' : '.';
    s[16] = '\0';
    if (p != MAP_FAILED)
        munmap(p, FILE_SIZE);
    return s;
}

/* Pages 0-7 cached, 8-15 not. */
static void prepare_cache(int fd)
{
    static char buf[32 * KiB];
    drop_cache(fd);
    int fd2 = open(path, O_RDONLY);
    posix_fadvise(fd2, 0, 0, POSIX_FADV_RANDOM);
    if (pread(fd2, buf, sizeof buf, 0) != (ssize_t)sizeof buf)
        exit(2);
    close(fd2);
}

static char *map_file(size_t size, int prot, int flags, int fd, off_t off)
{
    char *p = mmap(NULL, size, prot, flags, fd, off);
    if (p == MAP_FAILED)
        exit(2);
    probe_area(p, size);
    return p;
}

static void writer(struct link *l, int fd)
{
    wait_parent(l);
    char *shm = map_file(32 * KiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    probe_settle();
    note("shared_write_pattern=%s",
         touch_pages(shm, 8, 1, "Another process, a shared mapping"));
    if (pfn_visible() == 1) {
        int same = 0;
        for (int i = 0; i < 8; i++)
            same += pagemap_pfn(pagemap_entry(shm + i * PAGE)) == reader_frames[i];
        note("shared_pages_on_the_readers_frames=%d/8", same);
    }

    char *notes = map_file(16 * KiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 32 * KiB);
    probe_settle();
    note("shared_read_first_pattern=%s", touch_pages(notes, 4, 0, "Read first, then written"));
    probe_settle();
    note("shared_write_after_read_pattern=%s", touch_pages(notes, 4, 1, "Read first, then written"));

    char *priv = map_file(16 * KiB, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 48 * KiB);
    probe_settle();
    note("private_write_pattern=%s", touch_pages(priv, 4, 1, "A private writable mapping"));
    char c = 0;
    if (pread(fd, &c, 1, 48 * KiB) == 1)
        note("file_unchanged_by_private_write=%s", c == 'a' + 48 * KiB % 26 ? "yes" : "no");

    char *scratch = mmap(NULL, 160 * KiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (scratch == MAP_FAILED)
        exit(2);
    probe_area(scratch, 160 * KiB);
    struct mark m;
    probe_settle();
    mark_begin(&m);
    fill_write(scratch, 160 * KiB, PAGE);
    mark_end(&m, "Memory pressure");
    note("memory_pressure=none on this host: nothing is evicted or written back; the shared "
         "mapping still holds %ld kB dirty (smaps Shared_Dirty+Private_Dirty)",
         smaps_get(shm, "Shared_Dirty") + smaps_get(shm, "Private_Dirty"));
    give_parent(l);
}

int main(void)
{
    struct link l;
    probe_init(chapters);
    probe_check_empty();
    const char *dir = probe_tmpdir();
    if (!dir)
        probe_skip("no directory on a disk filesystem for the file (every candidate is tmpfs)");
    snprintf(path, sizeof path, "%s/data.bin", dir);
    int fd = make_file(path, FILE_SIZE);
    if (fd < 0)
        probe_skip("cannot create a file in %s", dir);
    reader_frames = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    prepare_cache(fd);
    note("cached_at_start=%s ('#' cached; the scenario has ########........)", cached_pages(fd));

    pid_t child = fork_linked(&l);
    if (child == 0) {
        writer(&l, fd);
        _exit(0);
    }

    char *map = map_file(FILE_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
    probe_settle();
    note("private_read_pattern=%s", touch_pages(map, 16, 0, "A private read-only mapping"));
    note("cached_after_reading=%s", cached_pages(fd));
    for (int i = 0; i < 16; i++)
        reader_frames[i] = pagemap_pfn(pagemap_entry(map + i * PAGE));

    give_child(&l); /* switch: 2, and the writer does the rest */
    reap(child);

    /* The first chapter again with readahead turned off (MADV_RANDOM). */
    munmap(map, FILE_SIZE);
    prepare_cache(fd);
    map = map_file(FILE_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
    madvise(map, FILE_SIZE, MADV_RANDOM);
    probe_settle();
    note("private_read_pattern_with_MADV_RANDOM=%s (cached before: %s)",
         touch_pages(map, 16, 0, NULL), "########........");

    close(fd);
    probe_rmdir();
    probe_report();
    return 0;
}
