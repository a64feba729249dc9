/* Trace readers: memory-access traces streamed from a file, one access at a
 * time, never loaded whole. Three formats share one iterator:
 *
 *   pages   one page number per line, as OSTEP's paging-policy.py reads
 *           them ("7", or "7w" for a write); each is like one refs entry.
 *   rw      "R 0x1234", "W 0x1234" or "X 0x1234"; hex (0x) or decimal.
 *   lackey  Valgrind --tool=lackey --trace-mem=yes output:
 *           "I  0401ab70,3" fetch, " L 04032e40,8" load, " S ..." store,
 *           " M ..." modify = a load then a store. Other lines are skipped.
 *           A record whose bytes cross a page boundary is one access per
 *           page it touches, as the hardware translates each page (a
 *           modify: the load of every page, then the store of every page).
 *
 * In every format blank lines are skipped; pages and rw also skip '#'
 * comments. A gzip-compressed file is read through zlib (trace_gzip.h).
 * Files are read in blocks of TRACE_BLOCK bytes and parsed in place, so a
 * reader's memory is the same however long the trace. A position (struct
 * trace_pos) is small and copyable, so a timeline can snapshot it and later
 * seek back to it. */
#ifndef VMVIZ_SCENARIO_TRACE_H
#define VMVIZ_SCENARIO_TRACE_H

#include <stdint.h>

#include "util/diag.h"

/* Longest line a trace may have, newline excluded. */
#define TRACE_MAX_LINE 4096

/* Bytes a reader reads from the file (uncompressed, for a gzip trace) at a
 * time, its memory whatever the trace's length. */
#define TRACE_BLOCK (256 * 1024)

#define TRACE_FORMAT_INFO(X) \
    X(PAGES,  "pages")       \
    X(RW,     "rw")          \
    X(LACKEY, "lackey")

enum trace_format {
#define TRACE_FORMAT_ENUM(id, name) TRACE_##id,
    TRACE_FORMAT_INFO(TRACE_FORMAT_ENUM)
#undef TRACE_FORMAT_ENUM
    TRACE_FORMAT_COUNT
};

/* Where a reader stands: everything needed to resume exactly there. Its
 * fields leave no padding, so that two positions compare with memcmp. */
struct trace_pos {
    int64_t offset;          /* byte offset of the next unread line */
    unsigned long line;      /* lines consumed so far (1-based number of the last) */
    unsigned long emitted;   /* accesses returned so far (counts toward limit) */
    /* The record of the last line while accesses of it are still to come
     * (a lackey M's store, the further pages of a record that crosses a
     * page boundary): the next of its accesses to give, and how many. */
    uint64_t pending_next;
    uint64_t pending_total;  /* 0 when nothing is pending */
    uint64_t pending_value;  /* its address */
    unsigned pending_size;   /* its bytes */
    unsigned pending_col;    /* the column its address starts in */
    unsigned pending_kind;   /* its first access's kind ('R' for an M) */
    unsigned pending_modify; /* 1: an M, each page read, then each written */
};

/* Access kinds: id, the letter trace_access.kind holds (and an rw trace
 * writes, in either case), and the name a fill step's access: key takes.
 * scenario.h makes enum scenario_access of it. */
#define TRACE_ACCESS_INFO(X) \
    X(READ,  'R', "read")    \
    X(WRITE, 'W', "write")   \
    X(EXEC,  'X', "exec")

struct trace_access {
    char kind;        /* 'R', 'W' or 'X': a letter of TRACE_ACCESS_INFO */
    int is_page;      /* 1: value is a page number (pages format); 0: a VA */
    uint64_t value;   /* virtual address, or page number when is_page */
    unsigned size;    /* bytes accessed in this page (lackey), 0 when the
                         format has none */
    unsigned page_part; /* 0, or for a record that crosses page boundaries,
                           which page of it after its first (1: the second) */
    unsigned record_size; /* the whole record's bytes (lackey; size when the
                             record lies in one page), 0 when none */
    unsigned long line; /* where the value is written in the trace: 1-based */
    unsigned col;       /* line and column */
};

struct trace_reader;

/* The format's name as written in scenarios ("pages", "rw", "lackey"); a
 * static string, "?" when out of range. */
const char *trace_format_name(enum trace_format fmt);

/* Looks up a format by name. 0 and *out set on success, -1 if unknown. */
int trace_format_lookup(const char *name, enum trace_format *out);

/* The format names in enum order (static), and how many there are (for
 * hints). */
const char *const *trace_format_names(unsigned *count);

/* Opens path (copied) for reading as a trace of format fmt, a lackey
 * record crossing a boundary of pages of page_size bytes (a power of two;
 * 0: none) given as one access per page. After limit accesses the trace
 * ends (0 = no limit). Only a regular file is opened, and opening
 * never blocks (see userfile.h). NULL with *err set (no position) when the
 * file cannot be opened, memory runs out, or trace_count read this path
 * with this format and limit before and the file has changed since
 * (written to, cut, grown or replaced).
 *
 * Once open, the file must not change: a reader that finds it written to
 * (checked at each refill of its buffer, at its end, and at the last access
 * trace_count found) fails with the position it had reached; a trace that
 * trace_count read ends with an error when it ends before the accesses it
 * held then. */
struct trace_reader *trace_open(const char *path, enum trace_format fmt,
                                unsigned long limit, uint64_t page_size, struct diag *err);

/* Reads the next access into *out. Returns 1 when one was read, 0 at the
 * end of the trace (or the limit), -1 on a bad line, a read error or a
 * file that changed, with *err set to the trace file's LINE:COLUMN. After
 * -1 the reader stays at the bad line: calling again reports the same
 * error. */
int trace_next(struct trace_reader *t, struct trace_access *out,
               struct diag *err);

/* An access of a line that holds no other, as trace_next_run gives it: of
 * struct trace_access, what is not the same for every such access (its
 * page_part is 0, its record_size its size, its line and column where the
 * reader's position says). */
struct trace_run_access {
    uint64_t value;
    unsigned size;
    uint16_t line_bytes;   /* its line's, newline included */
    char kind;
};

/* Reads up to max accesses more at once into out[], as as many trace_next
 * calls would give them: a run of common lines (one access each, parsed
 * where it lies in the buffer, not the last the count found). It stops
 * early before any other line, which trace_next then reads. Returns how
 * many it read; 0 says call trace_next. */
size_t trace_next_run(struct trace_reader *t, struct trace_run_access *out, size_t max);

/* The position trace_tell would have given after the first k accesses of
 * run (k at most its length), read by trace_next_run from the position
 * from: where a reader that gave the run must go back to, to stop
 * after those k. */
void trace_run_tell(const struct trace_pos *from, const struct trace_run_access *run, size_t k,
                    struct trace_pos *out);

/* Stores the reader's current position in *pos. */
void trace_tell(const struct trace_reader *t, struct trace_pos *pos);

/* True when the reader stands at pos, a position trace_tell gave on a
 * reader of the same file: reading on gives the accesses reading from pos
 * gives (a cheap test before a trace_seek that may be needless). */
int trace_is_at(const struct trace_reader *t, const struct trace_pos *pos);

/* Moves the reader to a position earlier obtained by trace_tell on a reader
 * of the same file and format. 0 on success, -1 when the file cannot seek
 * there: the reader is then unchanged, and for a trace trace_count read the
 * failure is kept for trace_take_failure, as a failed trace_next's is. A
 * position back within the block the reader holds is reached without
 * reading the file again. */
int trace_seek(struct trace_reader *t, const struct trace_pos *pos);

/* Closes the file and frees the reader; NULL is a no-op. */
void trace_close(struct trace_reader *t);

/* What trace_count found in a trace. */
struct trace_census {
    uint64_t count;               /* accesses, after the limit */
    uint64_t max_page;            /* pages format: the largest page number ... */
    unsigned long max_page_line;  /* ... and where it is written; 0 when the */
    unsigned max_page_col;        /* trace has no page */
};

/* Opens, reads to the end and closes a trace, counting its accesses (after
 * limit, each page of a lackey record that crosses pages of page_size bytes
 * one), so that a bad line is found before anything runs. A page number
 * (pages format) whose page would not have a 64-bit address with pages of
 * page_size bytes is a bad line: played, its address would wrap around to
 * another page. Stops reading as soon as the count exceeds max (then
 * census->count is max + 1), so a huge trace cannot stall the caller.
 * 0 with *census set, or -1 with *err set (for a bad line, at the trace's
 * LINE:COLUMN). max < UINT64_MAX.
 *
 * A trace read whole is remembered (its path, format, limit, page size,
 * count and what the file looked like), so that trace_open on it later can
 * tell whether it changed in between and how many accesses it must give. */
int trace_count(const char *path, enum trace_format fmt, unsigned long limit,
                uint64_t page_size, uint64_t max, struct trace_census *census,
                struct diag *err);

/* The first failure met by a reader of a trace that trace_count had read
 * (the file changed, or could not be read, while it was played), since the
 * previous call: 1 with *out set (when out is not NULL) and the failure
 * forgotten, or 0 when there was none. A player whose steps turn such a
 * failure into a skipped access can ask here for the error and its
 * position. */
int trace_take_failure(struct diag *out);

#endif
