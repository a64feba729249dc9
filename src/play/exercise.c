/* Exercises from a seed (exercise.h).
 *
 * Each kind has a generator that writes a scenario, questions and all,
 * and records what each question asks in struct exercise_question. The
 * answers are never computed by the generator: exercise_solve plays the
 * text it wrote through the loader and the engine, as `vmviz run` would,
 * and reads them off the run and the machine it leaves. A generator that
 * described one thing and wrote another would be caught by the tests,
 * which work the answers out a third way. */
#include "play/exercise.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "play/timeline.h"
#include "scenario/scenario.h"
#include "util/escape.h"
#include "util/value.h"
#include "vm/pte.h"
#include "vm/rng.h"

const char *const exercise_kind_names[] = {
#define EXERCISE_KIND_NAME(id, name, help) name,
    EXERCISE_KIND_LIST(EXERCISE_KIND_NAME)
#undef EXERCISE_KIND_NAME
    NULL
};

static const char *const exercise_kind_helps[] = {
#define EXERCISE_KIND_HELP(id, name, help) help,
    EXERCISE_KIND_LIST(EXERCISE_KIND_HELP)
#undef EXERCISE_KIND_HELP
};

const char *const exercise_difficulty_names[] = {
#define EXERCISE_DIFFICULTY_NAME(id, name) name,
    EXERCISE_DIFFICULTY_LIST(EXERCISE_DIFFICULTY_NAME)
#undef EXERCISE_DIFFICULTY_NAME
    NULL
};

const char *exercise_kind_help(enum exercise_kind kind)
{
    size_t n = sizeof exercise_kind_helps / sizeof exercise_kind_helps[0];
    return (size_t)kind < n ? exercise_kind_helps[kind] : "?";
}

/* ---- writing the scenario ---------------------------------------------- */

/* The width descriptions are wrapped to, inside the YAML block. */
#define WRAP_COLUMNS 76
/* Room for one paragraph of a description before it is wrapped. */
#define PARAGRAPH_MAX 1200

struct gen {
    FILE *f;               /* the scenario text being written */
    uint64_t rng;          /* splitmix64 state */
    struct exercise *ex;
};

/* A number from lo to hi, both included. */
static uint64_t pick(struct gen *g, uint64_t lo, uint64_t hi)
{
    return lo + rng_below(&g->rng, hi - lo + 1);
}

/* One of the n values of choices. */
static unsigned pick_of(struct gen *g, const unsigned *choices, size_t n)
{
    return choices[rng_below(&g->rng, n)];
}
#define PICK_OF(g, array) pick_of((g), (array), sizeof(array) / sizeof((array)[0]))

/* Puts a[0..n) in a random order (Fisher-Yates). */
static void shuffle(struct gen *g, uint64_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rng_below(&g->rng, i);
        uint64_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Appends to buf (size bytes, *used of them written so far) as snprintf
 * would; once full, further text is dropped and *used stays at most size. */
static void appendf(char *buf, size_t size, size_t *used, const char *fmt, ...)
    DIAG_PRINTF(4, 5);
static void appendf(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
    if (*used >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, size - *used, fmt, ap);
    va_end(ap);
    *used = n < 0 ? size : *used + (size_t)n < size ? *used + (size_t)n : size;
}

static void out(struct gen *g, const char *fmt, ...) DIAG_PRINTF(2, 3);
static void out(struct gen *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(g->f, fmt, ap);
    va_end(ap);
}

/* Writes text as lines of the description's literal block: indented by
 * two, the lines after the first by two plus hang, wrapped between words
 * at WRAP_COLUMNS. */
static void wrap(struct gen *g, unsigned hang, const char *text)
{
    size_t col = 0;
    const char *p = text;
    while (*p) {
        size_t word = strcspn(p, " ");
        if (col > 0 && col + 1 + word > WRAP_COLUMNS) {
            fprintf(g->f, "\n  %*s", (int)hang, "");
            col = 2 + hang;
        } else if (col > 0) {
            fputc(' ', g->f);
            col++;
        } else {
            fputs("  ", g->f);
            col = 2;
        }
        fwrite(p, 1, word, g->f);
        col += word;
        p += word;
        while (*p == ' ')
            p++;
    }
    fputc('\n', g->f);
}

/* A paragraph of the description, then a blank line. */
static void paragraph(struct gen *g, const char *fmt, ...) DIAG_PRINTF(2, 3);
static void paragraph(struct gen *g, const char *fmt, ...)
{
    char text[PARAGRAPH_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    wrap(g, 0, text);
    fputc('\n', g->f);
}

/* The next question: its line in the description ("N. TEXT") and what it
 * asks, for exercise_solve. */
static void question(struct gen *g, struct exercise_question q, const char *fmt, ...)
    DIAG_PRINTF(3, 4);
static void question(struct gen *g, struct exercise_question q, const char *fmt, ...)
{
    char text[PARAGRAPH_MAX];
    int n = snprintf(text, sizeof text, "%u. ", g->ex->nquestions + 1);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
    va_end(ap);
    wrap(g, (unsigned)n, text);
    g->ex->questions[g->ex->nquestions++] = q;
}

/* A question about how much counter c changes from the start of chapter
 * from to the start of chapter to (see struct exercise_question). */
static struct exercise_question counting(enum counter_id c, unsigned from, unsigned to)
{
    return (struct exercise_question){.kind = QUESTION_COUNTER, .counter = c,
                                      .from_chapter = from, .to_chapter = to};
}

/* The start of every exercise: its title, and the description's key. */
static void begin(struct gen *g)
{
    out(g, "title: \"Exercise %s, seed %llu (%s)\"\n", exercise_kind_names[g->ex->kind],
        (unsigned long long)g->ex->seed, exercise_difficulty_names[g->ex->difficulty]);
    out(g, "description: |\n");
}

/* ---- translate ---------------------------------------------------------- */

/* The address spaces of translate, by difficulty. */
static const struct translate_size {
    unsigned va_bits, page_shift;
    unsigned levels[2], nlevels;
    unsigned frames;          /* physical frames for pages */
    unsigned mapped;          /* pages the steps map */
    unsigned questions;
} translate_sizes[] = {
    {14, 10, {4, 0}, 1, 16, 5, 4},
    {16, 10, {6, 0}, 1, 32, 10, 6},
    {16, 8, {4, 4}, 2, 64, 14, 8},
};

static void generate_translate(struct gen *g)
{
    const struct translate_size *z = &translate_sizes[g->ex->difficulty];
    uint64_t pages = UINT64_C(1) << (z->va_bits - z->page_shift);
    uint64_t page_size = UINT64_C(1) << z->page_shift;
    int digits = (int)(z->va_bits + 3) / 4;
    uint64_t vpns[256], frames[64];
    for (uint64_t i = 0; i < pages; i++)
        vpns[i] = i;
    for (uint64_t i = 0; i < z->frames; i++)
        frames[i] = i;
    shuffle(g, vpns, pages);
    shuffle(g, frames, z->frames);
    /* vpns[0..mapped) are mapped, in page order so that the table reads
     * like one; frames[i] holds the i-th of them. */
    qsort(vpns, z->mapped, sizeof vpns[0], compare_u64);

    /* The questions: about two in three on mapped pages, the others on
     * pages that are not, at random offsets, in a random order. */
    uint64_t asked[EXERCISE_MAX_QUESTIONS];
    unsigned on_mapped = z->questions - z->questions / 3;
    uint64_t mapped_order[64], unmapped_order[256];
    memcpy(mapped_order, vpns, z->mapped * sizeof vpns[0]);
    memcpy(unmapped_order, vpns + z->mapped, (pages - z->mapped) * sizeof vpns[0]);
    shuffle(g, mapped_order, z->mapped);
    shuffle(g, unmapped_order, pages - z->mapped);
    for (unsigned i = 0; i < z->questions; i++) {
        uint64_t vpn = i < on_mapped ? mapped_order[i] : unmapped_order[i - on_mapped];
        asked[i] = vpn * page_size + pick(g, 0, page_size - 1);
    }
    shuffle(g, asked, z->questions);

    begin(g);
    char table[PARAGRAPH_MAX];
    size_t used = 0;
    for (unsigned i = 0; i < z->mapped; i++)
        appendf(table, sizeof table, &used, "%s%llu -> %llu", i ? ", " : "",
                (unsigned long long)vpns[i], (unsigned long long)frames[i]);
    if (z->nlevels == 1)
        paragraph(g, "Virtual addresses have %u bits and pages are %llu bytes, so an address "
                  "splits into a page number of %u bits and an offset of %u bits. The page "
                  "table is one table of %llu entries, indexed by the page number.", z->va_bits,
                  (unsigned long long)page_size, z->va_bits - z->page_shift, z->page_shift,
                  (unsigned long long)pages);
    else
        paragraph(g, "Virtual addresses have %u bits and pages are %llu bytes, so an address "
                  "splits into a page number of %u bits and an offset of %u bits. The page "
                  "table has two levels: the top %u bits of the page number index the root "
                  "table, the next %u bits a second-level table.", z->va_bits,
                  (unsigned long long)page_size, z->va_bits - z->page_shift, z->page_shift,
                  z->levels[0], z->levels[1]);
    paragraph(g, "Physical memory has %u frames; frame f starts at f x 0x%llx. The steps map "
              "%u pages, page -> frame: %s. No other page is mapped.", z->frames,
              (unsigned long long)page_size, z->mapped, table);
    paragraph(g, "Translate each virtual address into the physical address it reaches. Write "
              "a hex address such as 0x%0*llx, or fault when its page is not mapped.", digits,
              (unsigned long long)(page_size + 0x2a));
    for (unsigned i = 0; i < z->questions; i++)
        question(g, (struct exercise_question){.kind = QUESTION_TRANSLATE, .arg = asked[i]},
                 "0x%0*llx (a hex address, or fault)", digits, (unsigned long long)asked[i]);
    out(g, "machine:\n  va_bits: %u\n  page_size: %llu\n  levels: [%u", z->va_bits,
        (unsigned long long)page_size, z->levels[0]);
    if (z->nlevels == 2)
        out(g, ", %u", z->levels[1]);
    /* The tables live in frames of their own (the root, and with two
     * levels one per mapped page at most), so that the frames the steps
     * name are all free for pages. */
    out(g, "]\n  frames: %u\n  table_frames: %u\n  swap: 0\n  tlb: {entries: 4, ways: 4}\n"
        "  policy: fifo\n", z->frames, 1 + (z->nlevels == 2 ? z->mapped : 0));
    out(g, "processes:\n  - name: student\n    pid: 1\nsteps:\n");
    out(g, "  - chapter: The page table\n");
    for (unsigned i = 0; i < z->mapped; i++)
        out(g, "  - map: {va: 0x%0*llx, frame: %llu}\n", digits,
            (unsigned long long)(vpns[i] * page_size), (unsigned long long)frames[i]);
}

/* ---- tlb ---------------------------------------------------------------- */

#define TLB_PAGE_SIZE 4096u
#define TLB_ARRAY_BASE 0x10000000u

static void generate_tlb(struct gen *g)
{
    static const unsigned easy_strides[] = {512, 1024, 2048}, medium_strides[] = {512, 1024, 2048},
        hard_strides[] = {256, 512, 1024}, medium_ways[] = {2, 4, 8}, hard_ways[] = {1, 2, 4},
        hard_entries[] = {8, 16};
    enum exercise_difficulty d = g->ex->difficulty;
    unsigned entries, ways, pages, stride, passes, offset = 0, base;
    if (d == EXERCISE_EASY) {
        entries = 4;
        ways = 4;
        pages = (unsigned)pick(g, 2, 6);
        stride = PICK_OF(g, easy_strides);
        passes = (unsigned)pick(g, 2, 3);
    } else if (d == EXERCISE_MEDIUM) {
        entries = 8;
        ways = PICK_OF(g, medium_ways);
        pages = (unsigned)pick(g, 4, 12);
        stride = PICK_OF(g, medium_strides);
        passes = (unsigned)pick(g, 2, 3);
    } else {
        entries = PICK_OF(g, hard_entries);
        ways = PICK_OF(g, hard_ways);
        pages = (unsigned)pick(g, 6, 24);
        stride = PICK_OF(g, hard_strides);
        passes = 3;
        offset = (unsigned)pick(g, 0, 15) * 256;
    }
    base = (unsigned)pick(g, 0, 1023);
    unsigned sets = entries / ways;
    uint64_t start = TLB_ARRAY_BASE + (uint64_t)base * TLB_PAGE_SIZE + offset;
    uint64_t bytes = (uint64_t)pages * TLB_PAGE_SIZE;

    begin(g);
    paragraph(g, "A loop writes an array of %llu bytes that starts at 0x%llx, one element "
              "every %u bytes, %u times over: for (pass = 1; pass <= %u; pass++) for (i = 0; "
              "i < %llu; i += %u) a[i] = pass; Pages are 4 KiB (0x1000 bytes), and the page "
              "number of an address is the address divided by 0x1000.",
              (unsigned long long)bytes, (unsigned long long)start, stride, passes, passes,
              (unsigned long long)bytes, stride);
    char shape[PARAGRAPH_MAX];
    if (sets == 1)
        snprintf(shape, sizeof shape, "The TLB has %u entries, fully associative (one set), "
                 "with LRU replacement.", entries);
    else
        snprintf(shape, sizeof shape, "The TLB has %u entries in %u sets of %u way%s, with "
                 "LRU replacement within a set; a page's set is its page number modulo %u.",
                 entries, sets, ways, ways == 1 ? "" : "s", sets);
    paragraph(g, "%s It is empty before "
              "the loop, and so is memory: the first touch of each page misses in the TLB, "
              "faults, and misses again when the CPU retries the access after the fault. Any "
              "other miss walks the page table and puts the translation in the TLB.", shape);
    question(g, counting(COUNTER_tlb_hits, 0, 0),
             "How many TLB hits does the whole loop make? (a number)");
    question(g, counting(COUNTER_tlb_misses, 0, 0),
             "How many TLB misses does the whole loop make? (a number)");
    for (unsigned pass = 2; d != EXERCISE_EASY && pass <= passes; pass++)
        if (d == EXERCISE_HARD || pass == passes)
            question(g, counting(COUNTER_tlb_misses, pass, pass < passes ? pass + 1 : 0),
                     "How many TLB misses does pass %u make? (a number)", pass);
    if (d != EXERCISE_EASY)
        question(g, counting(COUNTER_faults, 0, 0),
                 "How many page faults does the loop take? (a number)");
    out(g, "machine:\n  preset: x86_64\n  frames: 256\n  swap: 0\n"
        "  tlb: {entries: %u, ways: %u, replacement: lru}\n  policy: lru\n", entries, ways);
    out(g, "processes:\n  - name: loop\n    pid: 1\n    areas:\n"
        "      - {name: array, start: 0x%llx, size: %llu, prot: rw-}\n",
        (unsigned long long)(start - offset),
        (unsigned long long)(bytes + (offset ? TLB_PAGE_SIZE : 0)));
    out(g, "steps:\n");
    for (unsigned pass = 1; pass <= passes; pass++) {
        out(g, "  - chapter: Pass %u\n", pass);
        if (offset)
            out(g, "  - fill: {start: array+0x%x, size: %llu, stride: %u, access: write}\n",
                offset, (unsigned long long)bytes, stride);
        else
            out(g, "  - fill: {start: array, size: %llu, stride: %u, access: write}\n",
                (unsigned long long)bytes, stride);
    }
}

/* ---- refs --------------------------------------------------------------- */

/* The policies refs asks about, with the rule a student applies. */
static const struct refs_policy {
    const char *name, *rule;
} refs_policies[] = {
    {"fifo", "FIFO: the victim is the page that was loaded first"},
    {"lru", "LRU: the victim is the page whose last use is the oldest"},
    {"opt", "OPT: the victim is the page whose next use is the furthest away; among pages "
            "never used again, the one loaded first"},
};

/* The longest reference string refs writes. */
#define REFS_MAX_LENGTH 20

static void generate_refs(struct gen *g)
{
    enum exercise_difficulty d = g->ex->difficulty;
    unsigned frames, npages, length, evict_questions;
    size_t npolicies = d == EXERCISE_EASY ? 2 : 3;
    const struct refs_policy *policy = &refs_policies[rng_below(&g->rng, npolicies)];
    bool writes = d == EXERCISE_HARD;
    if (d == EXERCISE_EASY) {
        frames = 3;
        npages = 6;
        length = 10;
        evict_questions = 1;
    } else if (d == EXERCISE_MEDIUM) {
        frames = (unsigned)pick(g, 3, 4);
        npages = 8;
        length = 15;
        evict_questions = 2;
    } else {
        frames = (unsigned)pick(g, 4, 5);
        npages = 10;
        length = REFS_MAX_LENGTH;
        evict_questions = 2;
    }
    /* A string with some locality, as programs have: a quarter of the
     * time one of the three pages before the last again, else any page;
     * never the same page twice in a row, which would only be a hit to
     * count. */
    uint64_t page[REFS_MAX_LENGTH];
    bool write[REFS_MAX_LENGTH];
    for (unsigned i = 0; i < length; i++) {
        page[i] = i >= 4 && pick(g, 0, 3) == 0 ? page[i - 1 - pick(g, 1, 3)]
                                               : pick(g, 0, npages - 1);
        if (i > 0 && page[i] == page[i - 1]) {
            /* Any other page, each as likely. */
            uint64_t other = pick(g, 0, npages - 2);
            page[i] = other >= page[i - 1] ? other + 1 : other;
        }
        write[i] = writes && pick(g, 0, 3) == 0;
    }
    char string[REFS_MAX_LENGTH * 4 + 1];
    size_t used = 0;
    for (unsigned i = 0; i < length; i++)
        appendf(string, sizeof string, &used, "%s%llu%s", i ? " " : "",
                (unsigned long long)page[i], write[i] ? "w" : "");
    /* The accesses asked about: first those where memory is surely full
     * and the page is none of the last `frames` pages used (LRU would
     * surely evict there, the others most likely), then any other. Which
     * page goes, if any, is left to the engine. */
    uint64_t likely[REFS_MAX_LENGTH], other[REFS_MAX_LENGTH], ks[REFS_MAX_LENGTH];
    unsigned nlikely = 0, nother = 0;
    for (unsigned k = frames + 1; k <= length; k++) {
        uint64_t recent[REFS_MAX_LENGTH];
        unsigned nrecent = 0, distinct = 0;
        bool seen[REFS_MAX_LENGTH] = {false};
        for (unsigned j = k - 1; j-- > 0;) {
            if (seen[page[j]])
                continue;
            seen[page[j]] = true;
            distinct++;
            if (nrecent < frames)
                recent[nrecent++] = page[j];
        }
        bool recent_use = false;
        for (unsigned j = 0; j < nrecent; j++)
            recent_use = recent_use || recent[j] == page[k - 1];
        if (distinct >= frames && !recent_use)
            likely[nlikely++] = k;
        else
            other[nother++] = k;
    }
    shuffle(g, likely, nlikely);
    shuffle(g, other, nother);
    memcpy(ks, likely, nlikely * sizeof ks[0]);
    memcpy(ks + nlikely, other, nother * sizeof ks[0]);
    qsort(ks, evict_questions, sizeof ks[0], compare_u64);

    begin(g);
    paragraph(g, "A process touches its pages in this order (w marks a write, the others "
              "read): %s", string);
    paragraph(g, "Memory has %u frames for its pages, all free at the start (the page tables "
              "live in frames of their own). Replacement is %s.%s", frames, policy->rule,
              writes ? " Evicting a page that was written since it was last loaded writes it "
                       "to swap; a clean page is dropped." : "");
    question(g, counting(COUNTER_faults, 0, 0),
             "How many page faults does the string take? (a number)");
    for (unsigned i = 0; i < evict_questions; i++)
        question(g, (struct exercise_question){.kind = QUESTION_EVICTED, .arg = ks[i]},
                 "Which page is evicted at access %llu (page %llu), counting from 1? (a page "
                 "number, or none)", (unsigned long long)ks[i],
                 (unsigned long long)page[ks[i] - 1]);
    question(g, (struct exercise_question){.kind = QUESTION_RESIDENT, .arg = npages},
             "Which pages are in memory at the end? (page numbers separated by spaces, such "
             "as 1 4 5)");
    if (writes)
        question(g, counting(COUNTER_swap_outs, 0, 0),
                 "How many pages are written to swap? (a number)");
    /* tiny: 64-byte pages, so page p is the address p x 64; two table
     * frames hold the root and the one table pages 0 to 15 need. */
    out(g, "machine:\n  preset: tiny\n  frames: %u\n  table_frames: 2\n  swap: 16\n"
        "  tlb: {entries: 4, ways: 4}\n  policy: %s\n", frames, policy->name);
    out(g, "processes:\n  - name: textbook\n    pid: 1\nsteps:\n");
    out(g, "  - refs: \"%s\"\n", string);
}

/* ---- fork --------------------------------------------------------------- */

#define FORK_HEAP 0x10000000u
#define FORK_PAGE_SIZE 4096u
#define FORK_MAX_OPS 10

static void generate_fork(struct gen *g)
{
    enum exercise_difficulty d = g->ex->difficulty;
    unsigned npages = d == EXERCISE_EASY ? 4 : d == EXERCISE_MEDIUM ? 6 : 8;
    unsigned nops = d == EXERCISE_EASY ? 3 : d == EXERCISE_MEDIUM ? 6 : FORK_MAX_OPS;
    unsigned nprocs = d == EXERCISE_HARD ? 3 : 2;
    struct {
        unsigned pid, page;
        bool write;
    } ops[FORK_MAX_OPS];
    for (unsigned i = 0; i < nops; i++) {
        ops[i].pid = (unsigned)pick(g, 1, nprocs);
        ops[i].page = (unsigned)pick(g, 0, npages - 1);
        ops[i].write = d == EXERCISE_EASY || pick(g, 0, 2) != 0;
    }

    begin(g);
    paragraph(g, "A parent (pid 1) writes all %u pages of its heap, pages 0 to %u at 0x%x "
              "(4 KiB each), then forks a child (pid 2)%s. Forking copies no page: every "
              "page becomes read-only and shared by %s, and the first write to a shared page "
              "faults and copies it for the writer. A write to a read-only page that no "
              "other process shares any more faults once and keeps the page, without a "
              "copy. Reads never fault.", npages, npages - 1, FORK_HEAP,
              nprocs == 3 ? ", and forks a second child (pid 3)" : "",
              nprocs == 3 ? "all three" : "both");
    char line[PARAGRAPH_MAX];
    size_t used = 0;
    for (unsigned i = 0; i < nops; i++)
        appendf(line, sizeof line, &used, "%s%s %s page %u", i ? ", then " : "",
                ops[i].pid == 1 ? "the parent" : ops[i].pid == 2 ? "pid 2" : "pid 3",
                ops[i].write ? "writes" : "reads", ops[i].page);
    paragraph(g, "After the fork, %s.", line);
    question(g, counting(COUNTER_cow_copies, 0, 0),
             "How many pages are copied? (a number)");
    if (d != EXERCISE_EASY)
        question(g, counting(COUNTER_faults, 2, 0),
                 "How many page faults happen after the fork? (a number)");
    question(g, (struct exercise_question){.kind = QUESTION_SHARED, .arg = npages},
             "Which pages do the parent and pid 2 still share at the end? (page numbers "
             "separated by spaces, such as 0 3, or none)");
    out(g, "machine:\n  preset: x86_64\n  frames: 64\n  swap: 0\n"
        "  tlb: {entries: 16, ways: 4}\n  policy: lru\n");
    out(g, "processes:\n  - name: parent\n    pid: 1\n    areas:\n"
        "      - {name: heap, start: 0x%x, size: %u, prot: rw-}\n", FORK_HEAP,
        npages * FORK_PAGE_SIZE);
    out(g, "steps:\n  - chapter: Before fork\n"
        "  - fill: {start: heap, size: %u, access: write}\n"
        "  - fork: {child: 2, name: child}\n", npages * FORK_PAGE_SIZE);
    if (nprocs == 3)
        out(g, "  - fork: {child: 3, name: second}\n");
    out(g, "  - chapter: After fork\n");
    unsigned running = 1;
    for (unsigned i = 0; i < nops; i++) {
        if (ops[i].pid != running)
            out(g, "  - switch: %u\n", ops[i].pid);
        running = ops[i].pid;
        out(g, "  - %s: heap+0x%x\n", ops[i].write ? "write" : "read",
            ops[i].page * FORK_PAGE_SIZE);
    }
}

/* ---- generating --------------------------------------------------------- */

/* Every kind's generator, by kind. */
static void (*const generators[])(struct gen *) = {
    [EXERCISE_TRANSLATE] = generate_translate,
    [EXERCISE_TLB] = generate_tlb,
    [EXERCISE_REFS] = generate_refs,
    [EXERCISE_FORK] = generate_fork,
};
/* A kind added to EXERCISE_KIND_LIST without a generator fails here. */
_Static_assert(sizeof generators / sizeof generators[0]
                   == sizeof exercise_kind_helps / sizeof exercise_kind_helps[0],
               "every kind of EXERCISE_KIND_LIST needs a generator");

bool exercise_generate(struct exercise *ex, enum exercise_kind kind, uint64_t seed,
                       enum exercise_difficulty difficulty)
{
    memset(ex, 0, sizeof *ex);
    ex->kind = kind;
    ex->seed = seed;
    ex->difficulty = difficulty;
    /* The kind and difficulty are mixed into the state, so that seed 1 of
     * one kind is not the draws of seed 1 of another. */
    struct gen g = {
        .rng = seed ^ ((uint64_t)(kind * 8 + difficulty + 1) << 56),
        .ex = ex,
    };
    g.f = open_memstream(&ex->text, &ex->len);
    if (!g.f)
        return false;
    generators[kind](&g);
    bool failed = ferror(g.f) != 0;
    if (fclose(g.f) != 0 || failed) {
        exercise_free(ex);
        return false;
    }
    return true;
}

void exercise_free(struct exercise *ex)
{
    free(ex->text);
    ex->text = NULL;
    ex->len = 0;
    ex->nquestions = 0;
}

/* ---- solving: the engine's answers -------------------------------------- */

/* The most chapters an exercise has (tlb: one per pass). */
#define SOLVE_MAX_CHAPTERS 8

/* The events a counter counts, for the why of a question about it: each
 * counter with the event that adds one to it. */
static const struct {
    enum counter_id counter;
    enum event_kind event;
} counted_events[] = {
    {COUNTER_faults, EV_PAGE_FAULT},
    {COUNTER_cow_copies, EV_COW_COPY},
    {COUNTER_swap_outs, EV_SWAP_OUT},
};

/* How many of those events a why lists one by one (beyond that it gives
 * the count alone), and how many of each the run keeps to list from. */
#define SOLVE_MAX_LISTED 12
#define SOLVE_MAX_KEPT 64

/* What a run did that the questions ask about, gathered while playing. */
struct run_record {
    /* The counted events, in order, up to SOLVE_MAX_KEPT of each counter
     * (more are counted, not kept). */
    struct counted {
        enum counter_id counter;
        uint64_t access;
        uint32_t pid;
        uint64_t va;
    } counted[SOLVE_MAX_KEPT * (sizeof counted_events / sizeof counted_events[0])];
    unsigned ncounted[COUNTER_COUNT];
    unsigned nkept;
    struct counters chapter_start[SOLVE_MAX_CHAPTERS];
    char chapter_name[SOLVE_MAX_CHAPTERS][64];
    unsigned nchapters;
    /* Per access, from 1 (refs only: the strings are short). */
    struct access_record {
        uint64_t page;
        bool faulted;
        bool evicted;
        uint64_t victim_page;
        char why[sizeof(((struct event *)0)->detail)];
    } access[REFS_MAX_LENGTH + 1];
};

static void note_event(struct run_record *r, const struct tl_event *e, const struct machine *m)
{
    if (e->kind == TL_CHAPTER && r->nchapters < SOLVE_MAX_CHAPTERS) {
        r->chapter_start[r->nchapters] = m->counters;
        snprintf(r->chapter_name[r->nchapters], sizeof r->chapter_name[0], "%s",
                 e->text ? e->text : "");
        r->nchapters++;
    }
    if (e->kind != TL_MACHINE)
        return;
    for (size_t i = 0; i < sizeof counted_events / sizeof counted_events[0]; i++) {
        enum counter_id c = counted_events[i].counter;
        if (e->ev.kind != counted_events[i].event || r->ncounted[c]++ >= SOLVE_MAX_KEPT)
            continue;
        /* A swap-out is the victim's: its page, not the faulting one's. */
        bool victim = e->ev.kind == EV_SWAP_OUT;
        r->counted[r->nkept++] = (struct counted){
            .counter = c,
            .access = e->access_seq,
            .pid = victim ? e->ev.other_pid : e->ev.pid,
            .va = victim ? e->ev.other_vpn << m->cfg.geo.page_shift : e->ev.va,
        };
    }
    if (e->access_seq == 0 || e->access_seq > REFS_MAX_LENGTH)
        return;
    struct access_record *a = &r->access[e->access_seq];
    if (e->ev.kind == EV_ACCESS_BEGIN)
        a->page = e->ev.vpn;
    else if (e->ev.kind == EV_PAGE_FAULT)
        a->faulted = true;
    else if (e->ev.kind == EV_VICTIM_CHOSEN) {
        a->evicted = true;
        a->victim_page = e->ev.other_vpn;
        snprintf(a->why, sizeof a->why, "%s", e->ev.detail);
    }
}

/* The counters at the start of chapter n (1 is the first), or at the
 * end (n 0, or a chapter the run never reached). */
static const struct counters *counters_at(const struct run_record *r, unsigned n,
                                          const struct machine *m)
{
    return n >= 1 && n <= r->nchapters ? &r->chapter_start[n - 1] : &m->counters;
}

/* A list of numbers as an answer: "1 4 5", or "none". */
static void list_answer(char *buf, size_t size, const uint64_t *v, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        appendf(buf, size, &used, "%s%llu", i ? " " : "", (unsigned long long)v[i]);
    if (n == 0)
        snprintf(buf, size, "none");
}

/* True when process pid's tables hold a present leaf entry for va, with
 * the entry in *entry: the walk the kernel makes in software, which
 * changes no bit. */
static bool present_entry(const struct machine *m, uint32_t pid, uint64_t va, uint64_t *entry)
{
    const struct process *p = machine_process(m, pid);
    if (!p)
        return false;
    struct walk_result w = machine_walk(m, p, va);
    if (!w.complete || !w.slot || !pte_present(*w.slot))
        return false;
    *entry = *w.slot;
    return true;
}

static void answer_translate(const struct machine *m, uint64_t va, struct exercise_answer *a)
{
    unsigned shift = m->cfg.geo.page_shift;
    uint64_t vpn = va >> shift, offset = va & ((UINT64_C(1) << shift) - 1), entry;
    if (!present_entry(m, 1, va, &entry)) {
        snprintf(a->text, sizeof a->text, "fault");
        snprintf(a->why, sizeof a->why, "0x%llx: page %llu has no present entry -> fault",
                 (unsigned long long)va, (unsigned long long)vpn);
        return;
    }
    uint64_t frame = pte_frame(entry), pa = (frame << shift) | offset;
    snprintf(a->text, sizeof a->text, "0x%llx", (unsigned long long)pa);
    snprintf(a->why, sizeof a->why, "0x%llx: page %llu -> frame %llu (entry 0x%llx), offset "
             "0x%llx -> 0x%llx", (unsigned long long)va, (unsigned long long)vpn,
             (unsigned long long)frame, (unsigned long long)entry,
             (unsigned long long)offset, (unsigned long long)pa);
}

/* The page of va the exercise's questions speak of: fork counts the
 * pages of the heap from 0, the others the pages of the address space. */
static uint64_t page_of(const struct exercise *ex, const struct machine *m, uint64_t va)
{
    return (va - (ex->kind == EXERCISE_FORK ? FORK_HEAP : 0)) >> m->cfg.geo.page_shift;
}

/* Appends to the why of a counter's question the events that counted,
 * when they are few enough to list and all fall in the question's span
 * (chapters from..to, as accesses: the first access of each). */
static void list_counted(const struct exercise *ex, const struct run_record *r,
                         const struct machine *m, const struct exercise_question *q,
                         uint64_t total, char *why, size_t size)
{
    if (total == 0 || total > SOLVE_MAX_LISTED || r->ncounted[q->counter] > SOLVE_MAX_KEPT)
        return;
    uint64_t from = counter_get(counters_at(r, q->from_chapter, m), COUNTER_accesses);
    uint64_t to = counter_get(counters_at(r, q->to_chapter, m), COUNTER_accesses);
    if (q->from_chapter == 0)
        from = 0;
    size_t used = strlen(why);
    unsigned listed = 0;
    for (unsigned i = 0; i < r->nkept; i++) {
        const struct counted *c = &r->counted[i];
        if (c->counter != q->counter || c->access <= from || c->access > to)
            continue;
        appendf(why, size, &used, "%s page %llu", listed ? "," : ";",
                (unsigned long long)page_of(ex, m, c->va));
        /* fork's questions are about who wrote, the others' about when. */
        if (ex->kind == EXERCISE_FORK)
            appendf(why, size, &used, " by pid %u", c->pid);
        else
            appendf(why, size, &used, " at access %llu", (unsigned long long)c->access);
        listed++;
    }
}

static void answer_counter(const struct exercise *ex, const struct run_record *r,
                           const struct machine *m, const struct exercise_question *q,
                           struct exercise_answer *a)
{
    uint64_t from = counter_get(counters_at(r, q->from_chapter, m), q->counter);
    if (q->from_chapter == 0)
        from = 0;
    uint64_t to = counter_get(counters_at(r, q->to_chapter, m), q->counter);
    snprintf(a->text, sizeof a->text, "%llu", (unsigned long long)(to - from));
    size_t used = 0;
    appendf(a->why, sizeof a->why, &used, "%s: %llu", counter_name(q->counter),
            (unsigned long long)(to - from));
    /* With several chapters in the span, what each gave. */
    unsigned first = q->from_chapter ? q->from_chapter : 1;
    unsigned last = q->to_chapter ? q->to_chapter - 1 : r->nchapters;
    if (last > first) {
        for (unsigned c = first; c <= last; c++) {
            uint64_t n = counter_get(counters_at(r, c + 1 <= r->nchapters ? c + 1 : 0, m),
                                     q->counter) - counter_get(&r->chapter_start[c - 1],
                                                               q->counter);
            appendf(a->why, sizeof a->why, &used, "%s%s: %llu%s", c == first ? " (" : ", ",
                    r->chapter_name[c - 1], (unsigned long long)n, c == last ? ")" : "");
        }
    }
    list_counted(ex, r, m, q, to - from, a->why, sizeof a->why);
}

static void answer_evicted(const struct run_record *r, const struct machine *m, uint64_t k,
                           struct exercise_answer *a)
{
    const struct access_record *x = &r->access[k <= REFS_MAX_LENGTH ? k : 0];
    if (x->evicted) {
        snprintf(a->text, sizeof a->text, "%llu", (unsigned long long)x->victim_page);
        snprintf(a->why, sizeof a->why, "access %llu (page %llu) faults with no free frame: "
                 "%s evicts page %llu (%s)", (unsigned long long)k,
                 (unsigned long long)x->page, policy_names[m->cfg.policy],
                 (unsigned long long)x->victim_page, x->why);
    } else {
        snprintf(a->text, sizeof a->text, "none");
        snprintf(a->why, sizeof a->why, x->faulted ? "access %llu (page %llu) faults, and a "
                 "frame is still free: nothing is evicted" : "access %llu (page %llu) finds "
                 "its page in memory: nothing is evicted", (unsigned long long)k,
                 (unsigned long long)x->page);
    }
}

static void answer_resident(const struct machine *m, uint64_t npages, struct exercise_answer *a)
{
    uint64_t pages[256], entry;
    size_t n = 0, used = 0;
    appendf(a->why, sizeof a->why, &used, "in memory at the end:");
    for (uint64_t page = 0; page < npages && n < 256; page++) {
        if (!present_entry(m, 1, page << m->cfg.geo.page_shift, &entry))
            continue;
        appendf(a->why, sizeof a->why, &used, "%s page %llu in frame %u", n ? "," : "",
                (unsigned long long)page, pte_frame(entry));
        pages[n++] = page;
    }
    list_answer(a->text, sizeof a->text, pages, n);
}

static void answer_shared(const struct machine *m, uint64_t npages, struct exercise_answer *a)
{
    uint64_t pages[64];
    size_t n = 0, used = 0;
    appendf(a->why, sizeof a->why, &used, "frames of parent and pid 2:");
    for (uint64_t page = 0; page < npages && page < 64; page++) {
        uint64_t va = FORK_HEAP + page * FORK_PAGE_SIZE, ep, ec;
        bool pp = present_entry(m, 1, va, &ep), pc = present_entry(m, 2, va, &ec);
        appendf(a->why, sizeof a->why, &used, "%s page %llu", page ? "," : "",
                (unsigned long long)page);
        if (pp && pc && pte_frame(ep) == pte_frame(ec)) {
            appendf(a->why, sizeof a->why, &used, " in frame %u (shared)", pte_frame(ep));
            pages[n++] = page;
        } else if (pp && pc) {
            appendf(a->why, sizeof a->why, &used, " in frames %u and %u", pte_frame(ep),
                    pte_frame(ec));
        } else {
            appendf(a->why, sizeof a->why, &used, " not present in %s",
                    pp ? "pid 2" : pc ? "the parent" : "either");
        }
    }
    list_answer(a->text, sizeof a->text, pages, n);
}

bool exercise_solve(const struct exercise *ex, const char *name, struct exercise_answer *out,
                    struct diag *err)
{
    struct scenario *s = scenario_load_string(name, ex->text, ex->len, err);
    if (!s)
        return false;
    struct timeline_overrides none;
    timeline_overrides_init(&none);
    struct timeline *tl =
        timeline_create_with(s, &none, &(struct timeline_options){.headless = true}, err);
    if (!tl) {
        scenario_free(s);
        return false;
    }
    struct run_record *r = calloc(1, sizeof *r);
    bool ok = r != NULL;
    const struct tl_event *e;
    while (ok && (e = timeline_next(tl)) != NULL)
        note_event(r, e, timeline_machine(tl));
    if (!ok)
        diag_set(err, name, 0, 0, "out of memory solving the exercise (expected a host with "
                 "memory to spare)");
    else if (timeline_error(tl)) {
        diag_set(err, name, 0, 0, "%s", timeline_error(tl));
        ok = false;
    }
    const struct machine *m = timeline_machine(tl);
    for (unsigned i = 0; ok && i < ex->nquestions; i++) {
        const struct exercise_question *q = &ex->questions[i];
        struct exercise_answer *a = &out[i];
        memset(a, 0, sizeof *a);
        switch (q->kind) {
        case QUESTION_TRANSLATE:
            answer_translate(m, q->arg, a);
            break;
        case QUESTION_COUNTER:
            answer_counter(ex, r, m, q, a);
            break;
        case QUESTION_EVICTED:
            answer_evicted(r, m, q->arg, a);
            break;
        case QUESTION_RESIDENT:
            answer_resident(m, q->arg, a);
            break;
        case QUESTION_SHARED:
            answer_shared(m, q->arg, a);
            break;
        }
    }
    free(r);
    timeline_destroy(tl);
    scenario_free(s);
    return ok;
}

void exercise_print_answers(FILE *out, enum report_format format, const struct exercise *ex,
                            const struct exercise_answer *answers)
{
    for (unsigned i = 0; i < ex->nquestions; i++) {
        if (format == REPORT_JSON) {
            fprintf(out, "{\"question\":%u,\"answer\":", i + 1);
            json_string(out, answers[i].text);
            fputs(",\"why\":", out);
            json_string(out, answers[i].why);
            fputs("}\n", out);
        } else {
            fprintf(out, "%u: %-10s # %s\n", i + 1, answers[i].text, answers[i].why);
        }
    }
}

/* ---- marking ------------------------------------------------------------ */

/* The numbers of a list answer ("1 4, 5"), sorted; false when a word of
 * it is no number or there are more than max. "none" is the empty list. */
static bool parse_list(const char *text, uint64_t *v, size_t max, size_t *n)
{
    *n = 0;
    size_t len = strlen(text);
    if (len == 4 && strncasecmp(text, "none", 4) == 0)
        return true;
    for (size_t i = 0; i < len;) {
        if (text[i] == ' ' || text[i] == '\t' || text[i] == ',') {
            i++;
            continue;
        }
        size_t word = strcspn(text + i, " \t,");
        if (*n == max || value_parse_number(text + i, word, &v[*n]) != VALUE_OK)
            return false;
        (*n)++;
        i += word;
    }
    qsort(v, *n, sizeof v[0], compare_u64);
    return *n > 0;
}

bool exercise_answer_matches(const struct exercise_question *q, const char *expected,
                             const char *given)
{
    if (q->kind == QUESTION_RESIDENT || q->kind == QUESTION_SHARED) {
        uint64_t want[64], got[64];
        size_t nwant, ngot;
        return parse_list(expected, want, 64, &nwant) && parse_list(given, got, 64, &ngot)
            && nwant == ngot && memcmp(want, got, nwant * sizeof want[0]) == 0;
    }
    uint64_t want, got;
    if (value_parse_number(expected, strlen(expected), &want) != VALUE_OK)
        return strcasecmp(expected, given) == 0;
    return value_parse_number(given, strlen(given), &got) == VALUE_OK && got == want;
}

bool exercise_mark(FILE *out, enum report_format format, const struct exercise *ex,
                   const struct exercise_answer *answers, const char *path,
                   const struct answer_file *given, unsigned *right, struct diag *err)
{
    for (size_t i = 0; i < given->count; i++) {
        const struct answer *g = &given->items[i];
        if (g->number > ex->nquestions) {
            diag_set(err, path, g->line, g->col, "question %u does not exist (expected 1 to "
                     "%u)", g->number, ex->nquestions);
            return false;
        }
    }
    *right = 0;
    for (unsigned i = 0; i < ex->nquestions; i++) {
        const struct answer *g = answers_find(given, i + 1);
        const struct exercise_answer *a = &answers[i];
        bool ok = g && g->text[0] && exercise_answer_matches(&ex->questions[i], a->text,
                                                              g->text);
        *right += ok;
        if (format == REPORT_JSON) {
            fprintf(out, "{\"question\":%u,\"ok\":%s,\"given\":", i + 1, ok ? "true" : "false");
            if (g && g->text[0])
                json_string(out, g->text);
            else
                fputs("null", out);
            fputs(",\"answer\":", out);
            json_string(out, a->text);
            fputs(",\"why\":", out);
            json_string(out, a->why);
            fputs("}\n", out);
        } else if (ok) {
            fprintf(out, "%u: ok     %s\n", i + 1, a->text);
        } else {
            fprintf(out, "%u: wrong  ", i + 1);
            if (g && g->text[0]) {
                fputs("you wrote ", out);
                escape_fputs(g->text, out);
            } else {
                fputs("no answer", out);
            }
            fprintf(out, "; the answer is %s (%s)\n", a->text, a->why);
        }
    }
    if (format == REPORT_JSON)
        fprintf(out, "{\"score\":%u,\"questions\":%u}\n", *right, ex->nquestions);
    else
        fprintf(out, "score: %u/%u\n", *right, ex->nquestions);
    return true;
}
