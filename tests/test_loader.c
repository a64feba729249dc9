/* Tests of src/scenario: diagnostics, value parsing, the YAML loader on good
 * files (every value and position checked), and the corpus of bad files in
 * data/bad/, each with its exact one-line error. Run from tests/. */
#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/diag.h"
#include "util/escape.h"
#include "scenario/scenario.h"
#include "util/value.h"
#include "diag_helpers.h"

void suite_loader_register(void);

static void check_pos(struct scenario_pos p, unsigned line, unsigned col)
{
    if (p.line != line || p.col != col)
        fprintf(stderr, "\nposition: want %u:%u, got %u:%u\n", line, col, p.line, p.col);
    CU_ASSERT_EQUAL(p.line, line);
    CU_ASSERT_EQUAL(p.col, col);
}

/* Loads text (named name); the scenario, or NULL with the error printed
 * into err_line. */
static struct scenario *load_text(const char *name, const char *text, char *err_line,
                                  size_t size)
{
    struct diag d;
    struct scenario *s = scenario_load_string(name, text, strlen(text), &d);

    if (s == NULL)
        snprintf(err_line, size, "%s", printed(&d));
    else
        snprintf(err_line, size, "(loaded)");
    return s;
}

/* ---- diag ------------------------------------------------------------- */

/* A chapter may carry what Linux counted for it; without the minor
 * faults the mapping form is an error at the chapter. */
static void test_chapter_linux_counts(void)
{
    char err[512];
    struct scenario *s = load_text("c.yaml",
                                   "title: t\nprocesses: [{name: p, pid: 1}]\nsteps:\n"
                                   "  - chapter: {name: memset, linux_minor_faults: 256, "
                                   "linux_major_faults: 1}\n  - chapter: plain\n",
                                   err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    check_string(s->steps[0].u.text.text.value, "memset", "chapter");
    CU_ASSERT_TRUE(s->steps[0].u.text.linux_minor.present);
    CU_ASSERT_EQUAL(s->steps[0].u.text.linux_minor.value, 256);
    CU_ASSERT_EQUAL(s->steps[0].u.text.linux_major.value, 1);
    CU_ASSERT_FALSE(s->steps[1].u.text.linux_minor.present);
    CU_ASSERT_PTR_EQUAL(scenario_chapter_step(s->steps, s->step_count,
                                              s->steps[1].u.text.text.value), &s->steps[1]);
    CU_ASSERT_PTR_NULL(scenario_chapter_step(s->steps, s->step_count, "plain"));
    scenario_free(s);
    s = load_text("c.yaml", "title: t\nprocesses: [{name: p, pid: 1}]\nsteps:\n"
                  "  - chapter: {name: memset}\n", err, sizeof err);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "c.yaml:4:14: error: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "linux_minor_faults"));
}

static void test_diag_print(void)
{
    struct diag d;

    diag_set(&d, "a.yaml", 3, 7, "'%s' is %d (expected %s)", "frames", 0, "more");
    check_string(printed(&d), "a.yaml:3:7: error: 'frames' is 0 (expected more)\n",
                 "diag_print");
    diag_set(&d, "b.yaml", 0, 0, "cannot open");
    check_string(printed(&d), "b.yaml: error: cannot open\n", "diag_print without line");
    diag_set(NULL, "x", 1, 1, "ignored");   /* must not crash */
}

static void test_diag_truncates(void)
{
    struct diag d;
    char long_name[2000];

    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    diag_set(&d, long_name, 1, 2, "%s", long_name);
    CU_ASSERT_EQUAL(strlen(d.file), sizeof d.file - 1);
    CU_ASSERT_EQUAL(strlen(d.message), sizeof d.message - 1);
    CU_ASSERT_EQUAL(d.line, 1);
    CU_ASSERT_EQUAL(d.col, 2);
}

static void test_diag_suggest(void)
{
    static const char *const keys[] = {"frames", "swap", "seed", "policy", "pid"};

    check_string(diag_suggest("framse", keys, 5), "frames", "transposition");
    check_string(diag_suggest("swop", keys, 5), "swap", "substitution");
    check_string(diag_suggest("polic", keys, 5), "policy", "deletion");
    check_string(diag_suggest("seeds", keys, 5), "seed", "insertion");
    /* Distance 1 to both seed ("sed" + e) and... only seed is that close. */
    check_string(diag_suggest("sed", keys, 5), "seed", "closest");
    CU_ASSERT_PTR_NULL(diag_suggest("colour", keys, 5));
    CU_ASSERT_PTR_NULL(diag_suggest("frobnicate", keys, 5));
    /* A one-letter word is not "close" to a three-letter key. */
    CU_ASSERT_PTR_NULL(diag_suggest("x", keys, 5));
    CU_ASSERT_PTR_NULL(diag_suggest("abc", keys, 0));
    /* Ties go to the earlier choice: "hat" is one letter from both. */
    static const char *const tie[] = {"cat", "bat"};
    check_string(diag_suggest("hat", tie, 2), "cat", "tie order");
}

/* ---- value parsing ---------------------------------------------------- */

static uint64_t num(const char *s, enum value_status want)
{
    uint64_t v = 12345;
    enum value_status st = value_parse_number(s, strlen(s), &v);

    if (st != want)
        fprintf(stderr, "\nvalue_parse_number(\"%s\") = %d, want %d\n", s, st, want);
    CU_ASSERT_EQUAL(st, want);
    return v;
}

static uint64_t size(const char *s, enum value_status want)
{
    uint64_t v = 12345;
    enum value_status st = value_parse_size(s, strlen(s), &v);

    if (st != want)
        fprintf(stderr, "\nvalue_parse_size(\"%s\") = %d, want %d\n", s, st, want);
    CU_ASSERT_EQUAL(st, want);
    return v;
}

static void test_numbers(void)
{
    CU_ASSERT_EQUAL(num("0", VALUE_OK), 0);
    CU_ASSERT_EQUAL(num("4096", VALUE_OK), 4096);
    CU_ASSERT_EQUAL(num("0x7fff_ffff", VALUE_OK), 0x7fffffffu);
    CU_ASSERT_EQUAL(num("0XAb", VALUE_OK), 0xab);
    CU_ASSERT_EQUAL(num("0b1010", VALUE_OK), 10);
    CU_ASSERT_EQUAL(num("1_000_000", VALUE_OK), 1000000);
    CU_ASSERT_EQUAL(num("18446744073709551615", VALUE_OK), UINT64_MAX);
    CU_ASSERT_EQUAL(num("0xffffffffffffffff", VALUE_OK), UINT64_MAX);
    num("18446744073709551616", VALUE_OVERFLOW);
    num("0x1_0000_0000_0000_0000", VALUE_OVERFLOW);
    num("", VALUE_SYNTAX);
    num("0x", VALUE_SYNTAX);
    num("0b", VALUE_SYNTAX);
    num("0b102", VALUE_SYNTAX);
    num("1__0", VALUE_SYNTAX);
    num("_1", VALUE_SYNTAX);
    num("1_", VALUE_SYNTAX);
    num("-1", VALUE_SYNTAX);
    num("+1", VALUE_SYNTAX);
    num("1 ", VALUE_SYNTAX);
    num("12a", VALUE_SYNTAX);
    num("0xg", VALUE_SYNTAX);
    /* Only len bytes are read. */
    uint64_t v = 0;
    CU_ASSERT_EQUAL(value_parse_number("123456", 3, &v), VALUE_OK);
    CU_ASSERT_EQUAL(v, 123);
}

static void test_sizes(void)
{
    CU_ASSERT_EQUAL(size("64", VALUE_OK), 64);
    CU_ASSERT_EQUAL(size("16KiB", VALUE_OK), 16384);
    CU_ASSERT_EQUAL(size("4K", VALUE_OK), 4096);
    CU_ASSERT_EQUAL(size("1MiB", VALUE_OK), 1048576);
    CU_ASSERT_EQUAL(size("3M", VALUE_OK), 3145728);
    CU_ASSERT_EQUAL(size("2GiB", VALUE_OK), 2147483648u);
    CU_ASSERT_EQUAL(size("1G", VALUE_OK), 1073741824u);
    CU_ASSERT_EQUAL(size("5TiB", VALUE_OK), 5ull << 40);
    CU_ASSERT_EQUAL(size("1T", VALUE_OK), 1ull << 40);
    CU_ASSERT_EQUAL(size("16 KiB", VALUE_OK), 16384);
    CU_ASSERT_EQUAL(size("0x10K", VALUE_OK), 16384);
    CU_ASSERT_EQUAL(size("0x1B", VALUE_OK), 27);
    CU_ASSERT_EQUAL(size("0b11K", VALUE_OK), 3072);
    CU_ASSERT_EQUAL(size("1_024", VALUE_OK), 1024);
    CU_ASSERT_EQUAL(size("16777215TiB", VALUE_OK), 16777215ull << 40);
    size("16777216TiB", VALUE_OVERFLOW);
    size("99999999999999999999", VALUE_OVERFLOW);
    size("1.5M", VALUE_SYNTAX);
    size("12XB", VALUE_SYNTAX);
    size("KiB", VALUE_SYNTAX);
    size("16kib", VALUE_SYNTAX);
    size("16KB", VALUE_SYNTAX);
    size("16 ", VALUE_SYNTAX);
    size("", VALUE_SYNTAX);
    size("-4K", VALUE_SYNTAX);
}

static void test_prot_and_names(void)
{
    unsigned p = 99;

    CU_ASSERT_EQUAL(value_parse_prot("r-x", 3, &p), VALUE_OK);
    CU_ASSERT_EQUAL(p, SCENARIO_PROT_READ | SCENARIO_PROT_EXEC);
    CU_ASSERT_EQUAL(value_parse_prot("rw-", 3, &p), VALUE_OK);
    CU_ASSERT_EQUAL(p, SCENARIO_PROT_READ | SCENARIO_PROT_WRITE);
    CU_ASSERT_EQUAL(value_parse_prot("---", 3, &p), VALUE_OK);
    CU_ASSERT_EQUAL(p, 0);
    CU_ASSERT_EQUAL(value_parse_prot("rwx", 3, &p), VALUE_OK);
    CU_ASSERT_EQUAL(p, 7);
    CU_ASSERT_EQUAL(value_parse_prot("xwr", 3, &p), VALUE_SYNTAX);
    CU_ASSERT_EQUAL(value_parse_prot("rwz", 3, &p), VALUE_SYNTAX);
    CU_ASSERT_EQUAL(value_parse_prot("rw", 2, &p), VALUE_SYNTAX);
    CU_ASSERT_EQUAL(value_parse_prot("rw--", 4, &p), VALUE_SYNTAX);
    CU_ASSERT_TRUE(value_is_name("buf", 3));
    CU_ASSERT_TRUE(value_is_name("_x.so_2", 7));
    CU_ASSERT_FALSE(value_is_name("2buf", 4));
    CU_ASSERT_FALSE(value_is_name("my buf", 6));
    CU_ASSERT_FALSE(value_is_name("a-b", 3));
    CU_ASSERT_FALSE(value_is_name("", 0));
}

static void test_step_kinds(void)
{
    enum step_kind k = STEP_KIND_COUNT;

    CU_ASSERT_EQUAL(STEP_KIND_COUNT, 22);
    check_string(step_kind_name(STEP_READ), "read", "name of READ");
    check_string(step_kind_name(STEP_MPROTECT), "mprotect", "name of MPROTECT");
    check_string(step_kind_name(STEP_TRACE), "trace", "name of TRACE");
    check_string(step_kind_name(STEP_KIND_COUNT), "?", "name out of range");
    check_string(step_kind_help(STEP_FILL), "touch a range at a stride", "help of FILL");
    CU_ASSERT_EQUAL(step_kind_lookup("fork", &k), 0);
    CU_ASSERT_EQUAL(k, STEP_FORK);
    CU_ASSERT_EQUAL(step_kind_lookup("expect", &k), 0);
    CU_ASSERT_EQUAL(k, STEP_EXPECT);
    CU_ASSERT_EQUAL(step_kind_lookup("Read", &k), -1);
    /* Every kind's name looks itself up. */
    for (unsigned i = 0; i < STEP_KIND_COUNT; i++) {
        CU_ASSERT_EQUAL(step_kind_lookup(step_kind_name((enum step_kind)i), &k), 0);
        CU_ASSERT_EQUAL(k, (enum step_kind)i);
    }
}

/* ---- good files ------------------------------------------------------- */

static void test_lazy_example(void)
{
    struct diag d;
    struct scenario *s = scenario_load("data/good/lazy.yaml", &d);

    if (s == NULL)
        fprintf(stderr, "\n%s", printed(&d));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    check_string(s->path, "data/good/lazy.yaml", "path");
    check_string(s->dir, "data/good", "dir");
    check_string(s->title.value, "Lazy allocation: malloc reserves, memset faults", "title");
    check_pos(s->title.pos, 1, 8);
    check_string(s->description.value,
                 "malloc(1 MiB) is served by mmap and touches nothing; the first memset "
                 "faults once per 4 KiB page; the second faults no more.\n", "description");

    const struct scenario_machine *m = &s->machine;
    CU_ASSERT_TRUE(m->present);
    check_string(m->preset.value, "x86_64", "preset");
    check_pos(m->preset.pos, 6, 11);
    CU_ASSERT_TRUE(m->frames.present);
    CU_ASSERT_EQUAL(m->frames.value, 512);
    check_pos(m->frames.pos, 7, 11);
    CU_ASSERT_EQUAL(m->swap.value, 64);
    CU_ASSERT_TRUE(m->tlb.present);
    CU_ASSERT_EQUAL(m->tlb.entries.value, 64);
    check_pos(m->tlb.entries.pos, 9, 18);
    CU_ASSERT_EQUAL(m->tlb.ways.value, 4);
    check_string(m->tlb.replacement.value, "lru", "replacement");
    CU_ASSERT_TRUE(m->tlb.asid.present);
    CU_ASSERT_EQUAL(m->tlb.asid.value, 1);
    check_string(m->policy.value, "clock", "policy");
    CU_ASSERT_EQUAL(m->seed.value, 1);
    CU_ASSERT_FALSE(m->va_bits.present);
    CU_ASSERT_FALSE(m->page_size.present);
    CU_ASSERT_FALSE(m->table_frames.present);
    CU_ASSERT_EQUAL(m->levels_count, 0);
    CU_ASSERT_EQUAL(s->file_count, 0);

    CU_ASSERT_EQUAL_FATAL(s->process_count, 1);
    const struct scenario_process *p = &s->processes[0];
    check_string(p->name.value, "demo", "process name");
    CU_ASSERT_EQUAL(p->pid.value, 1);
    check_pos(p->pid.pos, 14, 10);
    CU_ASSERT_FALSE(p->asid.present);
    CU_ASSERT_EQUAL_FATAL(p->area_count, 2);
    check_string(p->areas[0].name.value, "text", "area 0");
    CU_ASSERT_EQUAL(p->areas[0].start.value, 0x400000);
    CU_ASSERT_EQUAL(p->areas[0].size.value, 16384);
    CU_ASSERT_EQUAL(p->areas[0].prot.value, SCENARIO_PROT_READ | SCENARIO_PROT_EXEC);
    check_pos(p->areas[0].prot.pos, 16, 58);
    CU_ASSERT_FALSE(p->areas[0].shared.present);
    CU_ASSERT_PTR_NULL(p->areas[0].file.value);
    check_string(p->areas[1].name.value, "stack", "area 1");
    CU_ASSERT_EQUAL(p->areas[1].start.value, 0x7ffffffde000ull);
    check_pos(p->areas[1].start.pos, 17, 30);
    CU_ASSERT_EQUAL(p->areas[1].size.value, 132 * 1024);
    CU_ASSERT_EQUAL(p->areas[1].prot.value, SCENARIO_PROT_READ | SCENARIO_PROT_WRITE);

    CU_ASSERT_EQUAL_FATAL(s->step_count, 10);
    const struct scenario_step *st = s->steps;
    static const enum step_kind kinds[10] = {
        STEP_CHAPTER, STEP_SAY, STEP_MMAP, STEP_EXPECT, STEP_CHAPTER,
        STEP_FILL, STEP_EXPECT, STEP_CHAPTER, STEP_FILL, STEP_EXPECT};
    for (unsigned i = 0; i < 10; i++) {
        CU_ASSERT_EQUAL(st[i].kind, kinds[i]);
        check_pos(st[i].pos, 19 + i, 5);
    }
    check_string(st[0].u.text.text.value, "malloc", "chapter");
    check_string(st[1].u.text.text.value, "malloc(1 MiB) only reserves address space.", "say");
    check_string(st[2].u.mmap.name.value, "buf", "mmap name");
    CU_ASSERT_EQUAL(st[2].u.mmap.size.value, 1048576);
    CU_ASSERT_EQUAL(st[2].u.mmap.prot.value, SCENARIO_PROT_READ | SCENARIO_PROT_WRITE);
    CU_ASSERT_FALSE(st[2].u.mmap.start.present);
    CU_ASSERT_EQUAL_FATAL(st[3].u.expect.count, 1);
    check_string(st[3].u.expect.items[0].name, "minor_faults", "expect name");
    CU_ASSERT_TRUE(st[3].u.expect.items[0].relative);
    CU_ASSERT_EQUAL(st[3].u.expect.items[0].value, 0);
    check_pos(st[3].u.expect.items[0].name_pos, 22, 14);
    check_pos(st[3].u.expect.items[0].value_pos, 22, 28);

    const struct scenario_step *fill = &st[5];
    check_string(fill->u.fill.start.symbol, "buf", "fill start");
    CU_ASSERT_EQUAL(fill->u.fill.start.offset, 0);
    check_pos(fill->u.fill.start.pos, 24, 19);
    CU_ASSERT_EQUAL(fill->u.fill.size.value, 1048576);
    CU_ASSERT_FALSE(fill->u.fill.stride.present);
    CU_ASSERT_EQUAL(fill->u.fill.access, SCENARIO_ACCESS_WRITE);
    check_pos(fill->u.fill.access_pos, 24, 44);
    CU_ASSERT_EQUAL(fill->accesses, 256);
    CU_ASSERT_EQUAL_FATAL(st[6].u.expect.count, 2);
    check_string(st[6].u.expect.items[1].name, "major_faults", "expect 2nd name");
    CU_ASSERT_EQUAL(st[6].u.expect.items[0].value, 256);
    CU_ASSERT_TRUE(st[6].u.expect.items[0].relative);
    CU_ASSERT_EQUAL(st[8].u.fill.stride.value, 64);
    CU_ASSERT_EQUAL(st[8].accesses, 16384);
    CU_ASSERT_EQUAL(s->total_accesses, 256 + 16384);
    /* The play layer recounts with the real page size: 2 MiB pages make the
     * first fill one access. */
    CU_ASSERT_EQUAL(scenario_count_accesses(s->steps, s->step_count, 4096), 16640);
    CU_ASSERT_EQUAL(scenario_count_accesses(s->steps, s->step_count, 2 << 20), 1 + 16384);
    scenario_free(s);
}

static void test_every_step(void)
{
    struct diag d;
    struct scenario *s = scenario_load("data/good/every-step.yaml", &d);

    if (s == NULL)
        fprintf(stderr, "\n%s", printed(&d));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    const struct scenario_machine *m = &s->machine;
    CU_ASSERT_EQUAL(m->va_bits.value, 16);
    CU_ASSERT_EQUAL(m->page_size.value, 256);
    CU_ASSERT_EQUAL_FATAL(m->levels_count, 2);
    CU_ASSERT_EQUAL(m->levels[0].value, 4);
    CU_ASSERT_EQUAL(m->levels[1].value, 4);
    check_pos(m->levels[1].pos, 6, 15);
    check_pos(m->levels_pos, 6, 11);
    CU_ASSERT_EQUAL(m->frames.value, 16);
    CU_ASSERT_EQUAL(m->table_frames.value, 2);
    CU_ASSERT_EQUAL(m->swap.value, 8);
    check_string(m->policy.value, "fifo", "policy");
    CU_ASSERT_EQUAL(m->nru_interval.value, 100);
    CU_ASSERT_EQUAL(m->fault_around.value, 4);
    CU_ASSERT_EQUAL(m->readahead.value, 2);
    CU_ASSERT_FALSE(m->tlb.present);
    CU_ASSERT_FALSE(m->preset.present);

    CU_ASSERT_EQUAL_FATAL(s->file_count, 2);
    check_string(s->files[0].name.value, "lib.so", "file 0");
    CU_ASSERT_EQUAL(s->files[0].size.value, 2048);
    CU_ASSERT_EQUAL_FATAL(s->files[0].cached_count, 2);
    CU_ASSERT_EQUAL(s->files[0].cached[1], 2);
    CU_ASSERT_FALSE(s->files[0].cached_all);
    CU_ASSERT_TRUE(s->files[1].cached_all);
    CU_ASSERT_EQUAL(s->files[1].size.value, 1024);

    CU_ASSERT_EQUAL_FATAL(s->process_count, 2);
    const struct scenario_process *p = &s->processes[0];
    CU_ASSERT_EQUAL(p->asid.value, 3);
    CU_ASSERT_TRUE(p->asid.present);
    CU_ASSERT_EQUAL_FATAL(p->area_count, 2);
    check_string(p->areas[0].file.value, "lib.so", "area file");
    CU_ASSERT_EQUAL(p->areas[0].offset.value, 512);
    CU_ASSERT_TRUE(p->areas[0].shared.value);
    CU_ASSERT_EQUAL(p->areas[0].prot.value, SCENARIO_PROT_READ | SCENARIO_PROT_EXEC);
    CU_ASSERT_TRUE(p->areas[1].huge.value);
    CU_ASSERT_FALSE(p->areas[1].prot.present);   /* play applies the rw- default */
    CU_ASSERT_EQUAL(s->processes[1].pid.value, 2);
    CU_ASSERT_EQUAL(s->processes[1].area_count, 0);

    CU_ASSERT_EQUAL_FATAL(s->step_count, 30);
    const struct scenario_step *st = s->steps;

    CU_ASSERT_EQUAL(st[0].kind, STEP_READ);
    CU_ASSERT_PTR_NULL(st[0].u.access.addr.symbol);
    CU_ASSERT_EQUAL(scenario_addr_absolute(&st[0].u.access.addr), 0x1000);
    CU_ASSERT_FALSE(st[0].u.access.pid.present);
    check_pos(st[0].pos, 26, 5);

    CU_ASSERT_EQUAL(st[1].kind, STEP_WRITE);
    check_string(st[1].u.access.addr.symbol, "code", "write symbol");
    CU_ASSERT_EQUAL(st[1].u.access.addr.offset, 16);
    CU_ASSERT_EQUAL(st[1].u.access.pid.value, 2);
    check_pos(st[1].u.access.addr.pos, 27, 19);

    CU_ASSERT_EQUAL(st[2].kind, STEP_EXEC);
    check_string(st[2].u.access.addr.symbol, "code", "exec symbol");
    CU_ASSERT_EQUAL(st[2].u.access.addr.offset, -8);

    CU_ASSERT_EQUAL(st[3].kind, STEP_REFS);
    CU_ASSERT_EQUAL_FATAL(st[3].u.refs.count, 4);
    CU_ASSERT_EQUAL(st[3].u.refs.entries[0].page, 7);
    CU_ASSERT_FALSE(st[3].u.refs.entries[0].write);
    CU_ASSERT_EQUAL(st[3].u.refs.entries[1].page, 0);
    CU_ASSERT_TRUE(st[3].u.refs.entries[1].write);
    CU_ASSERT_EQUAL(st[3].u.refs.entries[3].page, 2);
    check_pos(st[3].u.refs.entries[1].pos, 29, 15);
    CU_ASSERT_EQUAL(st[3].accesses, 4);

    CU_ASSERT_EQUAL_FATAL(st[4].u.refs.count, 3);
    CU_ASSERT_EQUAL(st[4].u.refs.entries[0].page, 3);
    CU_ASSERT_EQUAL(st[4].u.refs.entries[1].page, 4);
    CU_ASSERT_TRUE(st[4].u.refs.entries[1].write);
    CU_ASSERT_EQUAL(st[4].u.refs.entries[2].page, 5);
    check_pos(st[4].u.refs.entries[2].pos, 30, 17);

    CU_ASSERT_EQUAL_FATAL(st[5].u.refs.count, 1);
    CU_ASSERT_EQUAL(st[5].u.refs.entries[0].page, 9);
    CU_ASSERT_EQUAL(st[5].u.refs.pid.value, 2);

    CU_ASSERT_EQUAL(st[6].kind, STEP_FILL);
    CU_ASSERT_EQUAL(st[6].u.fill.access, SCENARIO_ACCESS_READ);
    CU_ASSERT_EQUAL(st[6].accesses, 4);          /* 1 KiB of 256-byte pages */
    CU_ASSERT_EQUAL(st[7].u.fill.stride.value, 3);
    CU_ASSERT_EQUAL(st[7].u.fill.access, SCENARIO_ACCESS_EXEC);
    CU_ASSERT_EQUAL(st[7].u.fill.pid.value, 1);
    CU_ASSERT_EQUAL(st[7].accesses, 334);        /* ceil(1000 / 3) */

    CU_ASSERT_EQUAL(st[8].kind, STEP_MMAP);
    check_string(st[8].u.mmap.name.value, "heap", "mmap name");
    CU_ASSERT_EQUAL(scenario_addr_absolute(&st[8].u.mmap.start), 0x8000);
    CU_ASSERT_EQUAL(st[8].u.mmap.prot.value, SCENARIO_PROT_READ);
    CU_ASSERT_TRUE(st[8].u.mmap.shared.present);
    CU_ASSERT_FALSE(st[8].u.mmap.shared.value);
    check_string(st[8].u.mmap.file.value, "data", "mmap file");
    CU_ASSERT_EQUAL(st[8].u.mmap.offset.value, 256);
    CU_ASSERT_TRUE(st[8].u.mmap.huge.present);
    CU_ASSERT_EQUAL(st[8].u.mmap.pid.value, 1);

    CU_ASSERT_EQUAL(st[9].kind, STEP_MUNMAP);
    check_string(st[9].u.range.name.value, "heap", "munmap name");
    CU_ASSERT_FALSE(st[9].u.range.addr.present);
    CU_ASSERT_EQUAL(st[10].kind, STEP_MUNMAP);
    check_string(st[10].u.range.addr.symbol, "heap", "munmap addr");
    CU_ASSERT_EQUAL(st[10].u.range.addr.offset, 256);
    CU_ASSERT_EQUAL(st[10].u.range.size.value, 256);
    CU_ASSERT_FALSE(st[10].u.range.name.present);

    CU_ASSERT_EQUAL(st[11].kind, STEP_MPROTECT);
    CU_ASSERT_EQUAL(st[11].u.range.prot.value, 7);
    CU_ASSERT_EQUAL(st[12].u.range.prot.value, 0);
    CU_ASSERT_TRUE(st[12].u.range.prot.present);
    CU_ASSERT_EQUAL(st[12].u.range.size.value, 512);
    CU_ASSERT_EQUAL(st[12].u.range.pid.value, 2);

    CU_ASSERT_EQUAL(st[13].kind, STEP_MAP);
    CU_ASSERT_EQUAL(scenario_addr_absolute(&st[13].u.map.va), 0x9000);
    CU_ASSERT_EQUAL(st[13].u.map.frame.value, 3);
    CU_ASSERT_EQUAL(st[13].u.map.pid.value, 1);
    CU_ASSERT_EQUAL(st[13].u.map.prot.value, 3);

    CU_ASSERT_EQUAL(st[14].kind, STEP_SWITCH);
    CU_ASSERT_EQUAL(st[14].u.process.pid.value, 2);
    check_pos(st[14].u.process.pid.pos, 40, 13);
    CU_ASSERT_EQUAL(st[15].u.process.pid.value, 1);
    CU_ASSERT_EQUAL(st[16].kind, STEP_FORK);
    CU_ASSERT_EQUAL(st[16].u.fork.parent.value, 1);
    CU_ASSERT_EQUAL(st[16].u.fork.child.value, 5);
    check_string(st[16].u.fork.name.value, "kid", "fork name");
    CU_ASSERT_FALSE(st[17].u.fork.parent.present);
    CU_ASSERT_EQUAL(st[17].u.fork.child.value, 6);
    CU_ASSERT_FALSE(st[17].u.fork.name.present);
    CU_ASSERT_EQUAL(st[18].kind, STEP_EXIT);
    CU_ASSERT_EQUAL(st[18].u.process.pid.value, 5);
    CU_ASSERT_EQUAL(st[19].u.process.pid.value, 6);
    CU_ASSERT_EQUAL(st[20].kind, STEP_EXIT);
    CU_ASSERT_FALSE(st[20].u.process.pid.present);

    const struct scenario_step *rep = &st[21];
    CU_ASSERT_EQUAL(rep->kind, STEP_REPEAT);
    CU_ASSERT_EQUAL(rep->u.repeat.times.value, 3);
    CU_ASSERT_EQUAL_FATAL(rep->u.repeat.count, 2);
    CU_ASSERT_EQUAL(rep->u.repeat.steps[0].kind, STEP_READ);
    check_string(rep->u.repeat.steps[0].u.access.addr.symbol, "big", "nested read");
    check_pos(rep->u.repeat.steps[0].pos, 50, 11);
    const struct scenario_step *inner = &rep->u.repeat.steps[1];
    CU_ASSERT_EQUAL(inner->kind, STEP_REPEAT);
    CU_ASSERT_EQUAL_FATAL(inner->u.repeat.count, 1);
    CU_ASSERT_EQUAL(inner->u.repeat.steps[0].u.refs.count, 2);
    CU_ASSERT_EQUAL(inner->accesses, 4);
    CU_ASSERT_EQUAL(rep->accesses, 15);          /* 3 * (1 + 2 * 2) */

    check_string(st[22].u.text.text.value, "hello", "say");
    CU_ASSERT_EQUAL(st[23].kind, STEP_CHAPTER);
    CU_ASSERT_EQUAL(st[24].kind, STEP_PAUSE);
    CU_ASSERT_EQUAL(st[25].kind, STEP_PAUSE);

    const struct scenario_step *ex = &st[26];
    CU_ASSERT_EQUAL_FATAL(ex->u.expect.count, 3);
    CU_ASSERT_FALSE(ex->u.expect.items[0].relative);
    CU_ASSERT_EQUAL(ex->u.expect.items[0].value, 12);
    CU_ASSERT_TRUE(ex->u.expect.items[1].relative);
    CU_ASSERT_EQUAL(ex->u.expect.items[1].value, 3);
    check_string(ex->u.expect.items[2].name, "free_frames", "expect name");
    CU_ASSERT_TRUE(ex->u.expect.items[2].relative);
    CU_ASSERT_EQUAL(ex->u.expect.items[2].value, -2);

    CU_ASSERT_EQUAL(st[27].kind, STEP_TRACE);
    check_string(st[27].u.trace.path, "data/good/../traces/pages.txt", "trace path");
    check_string(st[27].u.trace.file.value, "../traces/pages.txt", "trace file");
    CU_ASSERT_EQUAL(st[27].u.trace.format, TRACE_PAGES);
    CU_ASSERT_EQUAL(st[27].u.trace.count, 6);
    CU_ASSERT_FALSE(st[27].u.trace.limit.present);
    CU_ASSERT_EQUAL(st[28].u.trace.format, TRACE_LACKEY);
    CU_ASSERT_EQUAL(st[28].u.trace.limit.value, 4);
    CU_ASSERT_EQUAL(st[28].u.trace.count, 4);
    CU_ASSERT_TRUE(st[28].u.trace.auto_areas.value);
    CU_ASSERT_EQUAL(st[28].u.trace.pid.value, 2);
    check_pos(st[28].u.trace.format_pos, 58, 49);
    CU_ASSERT_EQUAL(st[29].u.trace.format, TRACE_RW);
    CU_ASSERT_EQUAL(st[29].u.trace.count, 4);

    /* 3 single accesses, refs 4+3+1, fills 4+334, repeat 15, traces 6+4+4. */
    CU_ASSERT_EQUAL(s->total_accesses, 3 + 8 + 338 + 15 + 14);
    CU_ASSERT_EQUAL(scenario_count_accesses(s->steps, s->step_count, 256),
                    s->total_accesses);
    scenario_free(s);
}

static const char header[] =
    "title: t\n"
    "processes:\n"
    "  - name: demo\n"
    "    pid: 1\n"
    "    areas:\n"
    "      - {name: buf, start: 0x10000, size: 64KiB}\n"
    "steps:\n";

/* header + steps text loaded; its first step, or NULL with err_line set. */
static struct scenario *load_steps_text(const char *steps, char *err_line, size_t size)
{
    char text[8192];

    snprintf(text, sizeof text, "%s%s", header, steps);
    return load_text("mem.yaml", text, err_line, size);
}

static void test_programs(void)
{
    char err[2048];
    struct scenario *s = load_text("prog.yaml",
        "title: t\n"
        "files:\n"
        "  - {name: hello, size: 16KiB, cached: all,\n"
        "     program: {text: 8KiB, data: 4KiB, bss: 0x3000, start: 0x800000}}\n"
        "  - {name: tiny, size: 4KiB, program: {text: 4KiB}}\n"
        "processes:\n"
        "  - {name: sh, pid: 1}\n"
        "steps:\n"
        "  - spawn: {program: hello, child: 2, pid: 1}\n"
        "  - execve: tiny\n"
        "  - execve: {program: hello, pid: 2}\n"
        "  - brk: 8KiB\n"
        "  - brk: {size: 0, pid: 2}\n"
        "  - write: heap\n"
        "  - read: stack+8\n",
        err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    const struct scenario_program *p = &s->files[0].program;
    CU_ASSERT(p->present);
    CU_ASSERT_EQUAL(p->text.value, 8192);
    CU_ASSERT_EQUAL(p->data.value, 4096);
    CU_ASSERT_EQUAL(p->bss.value, 0x3000);
    CU_ASSERT(p->start.present);
    CU_ASSERT_EQUAL(p->start.value, 0x800000);
    CU_ASSERT_EQUAL(p->pos.line, 4);
    CU_ASSERT_EQUAL(p->pos.col, 15);
    CU_ASSERT(s->files[1].program.present);
    CU_ASSERT_FALSE(s->files[1].program.data.present);
    CU_ASSERT_FALSE(s->files[1].program.start.present);
    const struct scenario_step *st = s->steps;
    CU_ASSERT_EQUAL(st[0].kind, STEP_SPAWN);
    CU_ASSERT_STRING_EQUAL(st[0].u.exec.program.value, "hello");
    CU_ASSERT_EQUAL(st[0].u.exec.child.value, 2);
    CU_ASSERT_EQUAL(st[0].u.exec.pid.value, 1);
    CU_ASSERT_EQUAL(st[1].kind, STEP_EXECVE);
    CU_ASSERT_STRING_EQUAL(st[1].u.exec.program.value, "tiny");
    CU_ASSERT_FALSE(st[1].u.exec.pid.present);
    CU_ASSERT_EQUAL(st[2].u.exec.pid.value, 2);
    CU_ASSERT_EQUAL(st[3].kind, STEP_BRK);
    CU_ASSERT_EQUAL(st[3].u.brk.size.value, 8192);
    CU_ASSERT_EQUAL(st[4].u.brk.size.value, 0);
    CU_ASSERT_EQUAL(st[4].u.brk.pid.value, 2);
    CU_ASSERT_STRING_EQUAL(st[5].u.access.addr.symbol, "heap");
    CU_ASSERT_STRING_EQUAL(st[6].u.access.addr.symbol, "stack");
    scenario_free(s);
}

/* machine: kernel areas, and kernel: true on accesses and fills. */
static void test_kernel_areas(void)
{
    char err[2048];
    struct scenario *s = load_text("kern.yaml",
        "title: t\n"
        "machine:\n"
        "  kernel:\n"
        "    - {name: ktext, start: 0xffffffff81000000, size: 8KiB, prot: r-x}\n"
        "    - {name: kdata, start: 0xffffffff82000000, size: 4KiB}\n"
        "processes:\n"
        "  - {name: p, pid: 1}\n"
        "steps:\n"
        "  - read: {addr: kdata+8, kernel: true}\n"
        "  - exec: {addr: ktext, kernel: false}\n"
        "  - fill: {start: kdata, size: 4KiB, access: write, kernel: true}\n"
        "  - read: kdata\n",
        err, sizeof err);
    CU_ASSERT_STRING_EQUAL(err, "(loaded)");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL_FATAL(s->machine.kernel_count, 2);
    const struct scenario_area *k = s->machine.kernel;
    CU_ASSERT_STRING_EQUAL(k[0].name.value, "ktext");
    CU_ASSERT_EQUAL(k[0].start.value, 0xffffffff81000000ull);
    CU_ASSERT_EQUAL(k[0].size.value, 8192);
    CU_ASSERT(k[0].prot.present);
    CU_ASSERT_FALSE(k[1].prot.present);
    CU_ASSERT_EQUAL(k[1].pos.line, 5);
    CU_ASSERT_EQUAL(k[1].pos.col, 7);
    CU_ASSERT_EQUAL(s->machine.kernel_pos.line, 4);
    const struct scenario_step *st = s->steps;
    CU_ASSERT_STRING_EQUAL(st[0].u.access.addr.symbol, "kdata");
    CU_ASSERT_EQUAL(st[0].u.access.addr.offset, 8);
    CU_ASSERT(st[0].u.access.kernel.value);
    CU_ASSERT(st[1].u.access.kernel.present);
    CU_ASSERT_FALSE(st[1].u.access.kernel.value);
    CU_ASSERT(st[2].u.fill.kernel.value);
    CU_ASSERT_FALSE(st[3].u.access.kernel.present);
    scenario_free(s);

    static const struct { const char *text, *error; } bad[] = {
        {"title: t\nmachine: {kernel: 5}\nprocesses: [{name: d, pid: 1}]\nsteps: [pause: ]\n",
         "k.yaml:2:19: error: 'kernel' is '5' (expected a list of kernel areas, each {name, "
         "start, size, prot})\n"},
        {"title: t\nmachine: {kernel: []}\nprocesses: [{name: d, pid: 1}]\nsteps: [pause: ]\n",
         "k.yaml:2:19: error: 'kernel' is an empty list (expected at least one kernel "
         "area)\n"},
        {"title: t\nmachine: {kernel: [{name: k, size: 4KiB}]}\nprocesses: [{name: d, pid: "
         "1}]\nsteps: [pause: ]\n",
         "k.yaml:2:20: error: missing key 'start' in a kernel area (expected a start address "
         "in the kernel half)\n"},
        {"title: t\nmachine: {kernel: [{name: k, start: 0xffffffff81000000, size: 4KiB, "
         "prot: rwz}]}\nprocesses: [{name: d, pid: 1}]\nsteps: [pause: ]\n",
         NULL},
        {"title: t\nprocesses: [{name: d, pid: 1}]\nsteps: [read: {addr: 1, kernel: "
         "yes}]\n",
         NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s = load_text("k.yaml", bad[i].text, err, sizeof err);
        CU_ASSERT_PTR_NULL(s);
        if (bad[i].error && strcmp(err, bad[i].error) != 0)
            fprintf(stderr, "\n    got  %s    want %s", err, bad[i].error);
        if (bad[i].error) {
            CU_ASSERT_STRING_EQUAL(err, bad[i].error);
        } else {
            CU_ASSERT(strstr(err, "k.yaml:") == err && strstr(err, ": error: ") != NULL);
        }
        scenario_free(s);
    }
}

/* machine: devices, and device: on areas and mmaps. */
static void test_devices(void)
{
    char err[2048];
    struct scenario *s = load_text("dev.yaml",
        "title: t\n"
        "machine:\n"
        "  devices:\n"
        "    - {name: fb, size: 16KiB}\n"
        "    - {name: regs, size: 4KiB, phys: 0xfe000000}\n"
        "processes:\n"
        "  - name: p\n"
        "    pid: 1\n"
        "    areas:\n"
        "      - {name: mmio, start: 0x30000000, size: 4KiB, device: regs}\n"
        "steps:\n"
        "  - mmap: {name: screen, size: 8KiB, device: fb, offset: 4KiB, shared: true}\n",
        err, sizeof err);
    CU_ASSERT_STRING_EQUAL(err, "(loaded)");
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL_FATAL(s->machine.device_count, 2);
    const struct scenario_device *d = s->machine.devices;
    CU_ASSERT_STRING_EQUAL(d[0].name.value, "fb");
    CU_ASSERT_EQUAL(d[0].size.value, 16384);
    CU_ASSERT_FALSE(d[0].phys.present);
    CU_ASSERT(d[1].phys.present);
    CU_ASSERT_EQUAL(d[1].phys.value, 0xfe000000ull);
    CU_ASSERT_EQUAL(d[1].pos.line, 5);
    CU_ASSERT_EQUAL(d[1].pos.col, 7);
    CU_ASSERT_STRING_EQUAL(s->processes[0].areas[0].device.value, "regs");
    CU_ASSERT_FALSE(s->processes[0].areas[0].file.present);
    CU_ASSERT_STRING_EQUAL(s->steps[0].u.mmap.device.value, "fb");
    CU_ASSERT_EQUAL(s->steps[0].u.mmap.offset.value, 4096);
    scenario_free(s);
}

static void test_address_expressions(void)
{
    char err[2048];
    struct scenario *s = load_steps_text(
        "  - read: buf\n"
        "  - read: buf + 0x10\n"
        "  - read: buf-0x8000000000000000\n"
        "  - read: buf+0x7fffffffffffffff\n"
        "  - read: 0xffffffffffffffff\n"
        "  - read: 0x8000000000000000\n"
        "  - read: 0b1_0000\n"
        "  - read: \"buf+1\"\n", err, sizeof err);

    if (s == NULL)
        fprintf(stderr, "\n%s", err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL_FATAL(s->step_count, 8);
    check_string(s->steps[0].u.access.addr.symbol, "buf", "plain name");
    CU_ASSERT_EQUAL(s->steps[0].u.access.addr.offset, 0);
    CU_ASSERT_EQUAL(s->steps[1].u.access.addr.offset, 16);
    CU_ASSERT_EQUAL(s->steps[2].u.access.addr.offset, INT64_MIN);
    CU_ASSERT_EQUAL(s->steps[3].u.access.addr.offset, INT64_MAX);
    CU_ASSERT_PTR_NULL(s->steps[4].u.access.addr.symbol);
    CU_ASSERT_EQUAL(scenario_addr_absolute(&s->steps[4].u.access.addr), UINT64_MAX);
    CU_ASSERT_EQUAL(scenario_addr_absolute(&s->steps[5].u.access.addr), 1ull << 63);
    CU_ASSERT_EQUAL(scenario_addr_absolute(&s->steps[6].u.access.addr), 16);
    CU_ASSERT_EQUAL(s->steps[7].u.access.addr.offset, 1);
    /* Symbols are shared with the area's name, not copied per step. */
    CU_ASSERT_PTR_EQUAL(s->steps[0].u.access.addr.symbol, s->steps[1].u.access.addr.symbol);
    scenario_free(s);

    static const struct { const char *step, *error; } bad[] = {
        {"  - read: buf+0x8000000000000000\n",
         "mem.yaml:8:11: error: 'read' is 'buf+0x8000000000000000' (expected an offset "
         "of at most 2^63-1 from the name)\n"},
        {"  - read: buf+\n",
         "mem.yaml:8:11: error: 'read' is 'buf+' (expected an address: a number, an area "
         "name, or name+number or name-number)\n"},
        {"  - read: buf+x\n",
         "mem.yaml:8:11: error: 'read' is 'buf+x' (expected an address: a number, an area "
         "name, or name+number or name-number)\n"},
        {"  - read: 0x1_0000_0000_0000_0000\n",
         "mem.yaml:8:11: error: 'read' is '0x1_0000_0000_0000_0000' (expected an address "
         "below 2^64)\n"},
        {"  - read: {addr: nope, pid: 1}\n",
         "mem.yaml:8:18: error: unknown area 'nope' (expected the name of a process area, "
         "of a kernel area or of an earlier mmap)\n"},
        {"  - read: {pid: 1}\n",
         "mem.yaml:8:11: error: missing key 'addr' in read (expected an address: a number, "
         "an area name, or name+number or name-number)\n"},
        {"  - read:\n",
         "mem.yaml:8:10: error: 'read' is empty (expected an address: a number, an area "
         "name, or name+number or name-number)\n"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s = load_steps_text(bad[i].step, err, sizeof err);
        CU_ASSERT_PTR_NULL(s);
        scenario_free(s);
        check_string(err, bad[i].error, bad[i].step);
    }
}

/* Each container in the wrong place names itself and what was expected. */
static void test_shape_errors(void)
{
    static const struct { const char *text, *error; } cases[] = {
        {"title: t\nmachine: 5\nprocesses: [{name: d, pid: 1}]\nsteps: [pause: ]\n",
         "shape.yaml:2:10: error: 'machine' is '5' (expected a mapping of machine settings)\n"},
        {"title: t\nmachine: {tlb: [1]}\nprocesses: [{name: d, pid: 1}]\nsteps: [pause: ]\n",
         "shape.yaml:2:16: error: 'tlb' is a list (expected a mapping with entries, ways, "
         "replacement, asid)\n"},
        {"title: t\nprocesses: [7]\nsteps: [pause: ]\n",
         "shape.yaml:2:13: error: a process is '7' (expected a mapping {name, pid, areas})\n"},
        {"title: t\nprocesses: [{name: d, pid: 1, areas: [x]}]\nsteps: [pause: ]\n",
         "shape.yaml:2:39: error: an area is 'x' (expected a mapping {name, start, size, "
         "prot, ...})\n"},
        {"title: t\nprocesses: [{name: d, pid: 1}]\nsteps: [fill: x]\n",
         "shape.yaml:3:15: error: 'fill' is 'x' (expected a mapping {start, size, stride, "
         "access, pid, kernel})\n"},
        {"title: t\nprocesses: [{name: d, pid: 1}]\nsteps: [repeat: [read: 1]]\n",
         "shape.yaml:3:17: error: 'repeat' is a list (expected a mapping {times, steps})\n"},
        {"title: t\nprocesses: [{name: d, pid: 1}]\nsteps: [switch: [1]]\n",
         "shape.yaml:3:17: error: 'switch' is a list (expected a pid or {pid})\n"},
        {"title: t\nprocesses: [{name: d, pid: 1}]\nsteps: [expect: 3]\n",
         "shape.yaml:3:17: error: 'expect' is '3' (expected a mapping of counter: value)\n"},
        {"title: t\nprocesses: [{name: d, pid: 1}]\nsteps: [expect: {a: 1, a: 2}]\n",
         "shape.yaml:3:24: error: duplicate counter 'a' in expect (expected each counter "
         "once)\n"},
        {"title: t\nprocesses: [{name: d, pid: 1}]\nsteps: [read: {addr: 1, pdi: 2}]\n",
         "shape.yaml:3:25: error: unknown key 'pdi' in read (expected addr, pid or kernel; did you "
         "mean 'pid'?)\n"},
        {"title: \"\"\nprocesses: [{name: d, pid: 1}]\nsteps: [pause: ]\n",
         "shape.yaml:1:8: error: 'title' is '' (expected a title)\n"},
        {"title: t\nprocesses: {name: d, pid: 1}\nsteps: [pause: ]\n",
         "shape.yaml:2:12: error: 'processes' is a mapping (expected a list of processes, "
         "each {name, pid, areas})\n"},
        {"title: t\nprocesses: [{name: d, pid: 1}]\nsteps: [munmap: {addr: 1}]\n",
         "shape.yaml:3:17: error: missing key 'size' in munmap (expected a size next to "
         "addr)\n"},
        {"title: t\nprocesses: [{name: d, pid: 1}]\nsteps: [fork: {pid: 1}]\n",
         "shape.yaml:3:15: error: missing key 'child' in fork (expected the child's pid)\n"},
        {"title: t\nprocesses: [{name: d, pid: 1}]\nsteps: [trace: {file: x, format: rw, "
         "limit: 0}]\n",
         "shape.yaml:3:45: error: 'limit' is '0' (expected a number from 1 to "
         "18446744073709551615)\n"},
        {"title: t\nprocesses: [{name: d, pid: 1}]\nsteps: [refs: []]\n",
         "shape.yaml:3:15: error: 'refs' is an empty list (expected at least one page "
         "number)\n"},
        {"title: t\nprocesses: [{name: d, pid: 1}]\nsteps: [refs: {pages: \"  \"}]\n",
         "shape.yaml:3:23: error: 'refs' is '  ' (expected at least one page number)\n"},
        {"title: t\nfiles: [{name: f, size: 1K, cached: some}]\nprocesses: [{name: d, "
         "pid: 1}]\nsteps: [pause: ]\n",
         "shape.yaml:2:37: error: 'cached' is 'some' (expected a list of page numbers, or "
         "all)\n"},
    };
    char err[2048];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct scenario *s = load_text("shape.yaml", cases[i].text, err, sizeof err);
        CU_ASSERT_PTR_NULL(s);
        scenario_free(s);
        check_string(err, cases[i].error, cases[i].text);
    }
}

/* Names from mmap steps are known from that step on, also inside repeats,
 * and anchors/aliases of whole step lists work. */
static void test_mmap_names_and_aliases(void)
{
    char err[2048];
    struct scenario *s = load_steps_text(
        "  - repeat:\n"
        "      times: 2\n"
        "      steps: &body\n"
        "        - mmap: {name: tmp, size: 4KiB}\n"
        "        - write: tmp+4095\n"
        "        - munmap: {name: tmp}\n"
        "  - repeat: {times: 3, steps: *body}\n", err, sizeof err);

    if (s == NULL)
        fprintf(stderr, "\n%s", err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL_FATAL(s->step_count, 2);
    CU_ASSERT_EQUAL_FATAL(s->steps[1].u.repeat.count, 3);
    check_string(s->steps[1].u.repeat.steps[1].u.access.addr.symbol, "tmp", "aliased");
    CU_ASSERT_EQUAL(s->steps[1].u.repeat.steps[1].u.access.addr.offset, 4095);
    /* The aliased steps carry the anchor's positions. */
    check_pos(s->steps[1].u.repeat.steps[1].pos, 12, 11);
    CU_ASSERT_EQUAL(s->total_accesses, 2 + 3);
    scenario_free(s);
}

static void test_limits_at_the_edge(void)
{
    char err[2048], steps[4096];
    struct scenario *s;

    /* 1,000,000 times 50 refs is exactly the access limit: allowed. */
    snprintf(steps, sizeof steps, "  - repeat:\n      times: 1000000\n      steps:\n"
             "        - refs: [%s]\n", "0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,"
             "0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9");
    s = load_steps_text(steps, err, sizeof err);
    if (s == NULL)
        fprintf(stderr, "\n%s", err);
    CU_ASSERT_PTR_NOT_NULL(s);
    if (s != NULL)
        CU_ASSERT_EQUAL(s->total_accesses, SCENARIO_MAX_ACCESSES);
    scenario_free(s);

    /* One more access anywhere is refused, at the step that crosses. */
    strcat(steps, "  - read: buf\n");
    s = load_steps_text(steps, err, sizeof err);
    CU_ASSERT_PTR_NULL(s);
    scenario_free(s);
    check_string(err, "mem.yaml:12:5: error: too many accesses: the scenario would perform "
                 "more than 50000000 (expected at most 50000000; use smaller sizes, fewer "
                 "repeats or a trace limit)\n", "one access too many");

    /* Eight levels of repeat are allowed. */
    char nest[4096] = "  - repeat: {times: 2, steps: [";
    for (int i = 1; i < 8; i++)
        strcat(nest, "{repeat: {times: 2, steps: [");
    strcat(nest, "read: buf");
    for (int i = 1; i < 8; i++)
        strcat(nest, "]}}");
    strcat(nest, "]}\n");
    s = load_steps_text(nest, err, sizeof err);
    if (s == NULL)
        fprintf(stderr, "\n%s", err);
    CU_ASSERT_PTR_NOT_NULL(s);
    if (s != NULL)
        CU_ASSERT_EQUAL(s->total_accesses, 256);
    scenario_free(s);

    /* A string of exactly SCENARIO_MAX_STRING bytes is fine. */
    char say[SCENARIO_MAX_STRING + 32];
    memcpy(say, "  - say: ", 9);
    memset(say + 9, 'a', SCENARIO_MAX_STRING);
    strcpy(say + 9 + SCENARIO_MAX_STRING, "\n");
    s = load_steps_text(say, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(s);
    if (s != NULL)
        CU_ASSERT_EQUAL(strlen(s->steps[0].u.text.text.value), SCENARIO_MAX_STRING);
    scenario_free(s);

    /* times at its maximum is accepted. */
    s = load_steps_text("  - repeat: {times: 1000000, steps: [say: x]}\n", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL(s);
    if (s != NULL)
        CU_ASSERT_EQUAL(s->steps[0].u.repeat.times.value, SCENARIO_MAX_TIMES);
    scenario_free(s);
}

static void test_file_too_large(void)
{
    size_t len = SCENARIO_MAX_FILE_BYTES + 1;
    char *text = malloc(len);
    struct diag d;

    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    memset(text, '#', len);
    CU_ASSERT_PTR_NULL(scenario_load_string("big.yaml", text, len, &d));
    check_string(printed(&d), "big.yaml:1:1: error: the file is too large, 1048577 bytes "
                 "(expected at most 1048576)\n", "too large");
    /* Exactly at the limit it is parsed (and here found empty). */
    CU_ASSERT_PTR_NULL(scenario_load_string("big.yaml", text, len - 1, &d));
    check_string(printed(&d), "big.yaml:1:1: error: the file is empty (expected a mapping "
                 "with title, processes and steps)\n", "at the limit");
    free(text);
}

static void test_missing_file(void)
{
    struct diag d;

    CU_ASSERT_PTR_NULL(scenario_load("data/no-such-scenario.yaml", &d));
    check_string(printed(&d), "data/no-such-scenario.yaml: error: cannot read the scenario: "
                 "No such file or directory (expected a readable file)\n", "missing file");
    scenario_free(NULL);   /* a no-op */
}

/* ---- escaping what users wrote ------------------------------------------ */

/* escape_text of s, as a string (overwritten by the next call). */
static const char *escaped(const char *s, unsigned flags)
{
    static char buf[512];
    escape_text(buf, sizeof buf, s, flags);
    return buf;
}

static void test_escape_forms(void)
{
    /* The two attacks of the issue: clear the screen, retitle the window. */
    check_string(escaped("\033[2J", 0), "\\e[2J", "ESC [ 2 J");
    check_string(escaped("\033]0;pwned\a", 0), "\\e]0;pwned\\a", "OSC title BEL");
    /* C0 controls with a letter, the others in hex, DEL too. */
    check_string(escaped("a\tb\nc\rd\be\ff\vg", 0), "a\\tb\\nc\\rd\\be\\ff\\vg", "letters");
    check_string(escaped("\001\037\177", 0), "\\x01\\x1f\\x7f", "hex controls and DEL");
    /* Line breaks kept only when asked (wrapped text). */
    check_string(escaped("one\ntwo\tthree", ESCAPE_KEEP_NEWLINES), "one\ntwo\\tthree",
                 "newline kept");
    /* C1 controls are characters: U+0080, U+009B (CSI), U+009F. */
    check_string(escaped("\xc2\x80|\xc2\x9b" "31m|\xc2\x9f", 0), "\\u0080|\\u009b31m|\\u009f",
                 "C1 controls");
    /* Bytes that are not UTF-8: a lone CSI byte, an overlong ESC, a
     * surrogate, a cut sequence, bytes that never start one. */
    check_string(escaped("\x9b" "2J", 0), "\\x9b2J", "stray C1 byte");
    check_string(escaped("\xc0\x9b", 0), "\\xc0\\x9b", "overlong ESC");
    check_string(escaped("\xed\xa0\x80", 0), "\\xed\\xa0\\x80", "surrogate");
    check_string(escaped("x\xe2\x82", 0), "x\\xe2\\x82", "cut sequence");
    check_string(escaped("\xf5\xff", 0), "\\xf5\\xff", "never valid");
    check_string(escaped("\xf4\x90\x80\x80", 0), "\\xf4\\x90\\x80\\x80", "above U+10FFFF");
    /* Printable text is left alone: UTF-8, NBSP, a backslash. */
    check_string(escaped("caf\xc3\xa9 \xc2\xa0 \xe2\x86\x92 \xf0\x9f\x98\x80 C:\\dir", 0),
                 "caf\xc3\xa9 \xc2\xa0 \xe2\x86\x92 \xf0\x9f\x98\x80 C:\\dir", "printable");
    check_string(escaped(NULL, 0), "", "NULL is empty");
}

static void test_escape_bounds(void)
{
    char small[8];

    /* The length of the whole form comes back even when cut, and the cut
     * never splits an escape: "ab" + "\e" fits, "\e" after that does not. */
    CU_ASSERT_EQUAL(escape_text(small, sizeof small, "ab\033\033\033", 0), 8);
    check_string(small, "ab\\e\\e", "cut between escapes");
    CU_ASSERT_EQUAL(escape_text(small, sizeof small, "abcdef\xc3\xa9", 0), 8);
    check_string(small, "abcdef", "cut before a character");
    CU_ASSERT_EQUAL(escape_text(NULL, 0, "\xc2\x9b", 0), 6);
    /* escape_fputs writes the same form. */
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    CU_ASSERT_EQUAL(escape_fputs("x\033[1m\xc2\x9b\x9b\xc3\xa9\n", fp), 0);
    fclose(fp);
    check_string(text, "x\\e[1m\\u009b\\x9b\xc3\xa9\\n", "escape_fputs");
    free(text);
}

/* Every error is printed with what the user wrote escaped: the file name
 * and the message both. */
static void test_diag_escapes(void)
{
    struct diag d;

    diag_set(&d, "evil\033]0;t\a.yaml", 2, 3, "unknown key '%s' in machine", "\033[31mred");
    check_string(printed(&d), "evil\\e]0;t\\a.yaml:2:3: error: unknown key '\\e[31mred' in "
                 "machine\n", "escaped");
    CU_ASSERT_PTR_NULL(strchr(printed(&d), '\033'));
}

static void test_diag_choices(void)
{
    static const char *const three[] = {"op", "access", "event"};
    static const char *const one[] = {"only"};
    char buf[200];

    check_string(diag_list(buf, sizeof buf, three, 3), "op, access or event", "three");
    check_string(diag_list(buf, sizeof buf, three, 2), "op or access", "two");
    check_string(diag_list(buf, sizeof buf, one, 1), "only", "one");
    check_string(diag_list(buf, sizeof buf, one, 0), "", "none");
    check_string(diag_expected_choice(buf, sizeof buf, "acess", three, 3),
                 "expected op, access or event; did you mean 'access'?", "with a hint");
    check_string(diag_expected_choice(buf, sizeof buf, "zzz", three, 3),
                 "expected op, access or event", "without one");
    check_string(diag_expected_hint(buf, sizeof buf, "a name", "buf"),
                 "expected a name; did you mean 'buf'?", "described");
    static const char *const nul_terminated[] = {"a", "b", NULL};
    CU_ASSERT_EQUAL(diag_count(nul_terminated), 2);
}

static void test_number_length(void)
{
    CU_ASSERT_EQUAL(value_number_length("16x4", 4), 2);
    CU_ASSERT_EQUAL(value_number_length("0x10x4", 6), 4);
    CU_ASSERT_EQUAL(value_number_length("0b1_01x2", 8), 6);
    CU_ASSERT_EQUAL(value_number_length("1_024X8", 7), 5);
    CU_ASSERT_EQUAL(value_number_length("x4", 2), 0);
    /* A leading 0 is a digit of a decimal number, never octal. */
    CU_ASSERT_EQUAL(num("010", VALUE_OK), 10);
    CU_ASSERT_EQUAL(num("0009", VALUE_OK), 9);
}

/* pids are 1 to 2^32-1 and ASIDs 0 to 4095, wherever they are written:
 * the engine would fold anything larger onto another process or ASID. */
static void test_pid_and_asid_limits(void)
{
    static const struct { const char *text, *error; } cases[] = {
        {"title: t\nprocesses: [{name: d, pid: 4294967297}]\nsteps: [pause: ]\n",
         "ids.yaml:2:28: error: 'pid' is '4294967297' (expected a pid from 1 to "
         "4294967295)\n"},
        {"title: t\nprocesses: [{name: d, pid: 0}]\nsteps: [pause: ]\n",
         "ids.yaml:2:28: error: 'pid' is '0' (expected a pid from 1 to 4294967295)\n"},
        {"title: t\nprocesses: [{name: d, pid: 1, asid: 4096}]\nsteps: [pause: ]\n",
         "ids.yaml:2:37: error: 'asid' is '4096' (expected an ASID from 0 to 4095, or 0 "
         "to pick a free one)\n"},
        {"title: t\nprocesses: [{name: d, pid: 1}]\nsteps: [read: {addr: 1, pid: 0x100000001}]\n",
         "ids.yaml:3:30: error: 'pid' is '0x100000001' (expected a pid from 1 to "
         "4294967295)\n"},
        {"title: t\nprocesses: [{name: d, pid: 1}]\nsteps: [fork: {child: 4294967296}]\n",
         "ids.yaml:3:23: error: 'child' is '4294967296' (expected a pid from 1 to "
         "4294967295)\n"},
        {"title: t\nprocesses: [{name: d, pid: 1}]\nsteps: [switch: 5000000000]\n",
         "ids.yaml:3:17: error: 'switch' is '5000000000' (expected a pid from 1 to "
         "4294967295)\n"},
        {"title: t\nprocesses: [{name: d, pid: 1}]\nsteps: [trace: {file: x, format: rw, "
         "pid: 99999999999}]\n",
         "ids.yaml:3:43: error: 'pid' is '99999999999' (expected a pid from 1 to "
         "4294967295)\n"},
    };
    char err[2048];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct scenario *s = load_text("ids.yaml", cases[i].text, err, sizeof err);
        CU_ASSERT_PTR_NULL(s);
        scenario_free(s);
        check_string(err, cases[i].error, cases[i].text);
    }
    /* The largest of each is fine. */
    struct scenario *s = load_text("ids.yaml", "title: t\nprocesses: [{name: d, pid: "
                                   "4294967295, asid: 4095}]\nsteps: [exit: 4294967295]\n",
                                   err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->processes[0].pid.value, 4294967295u);
    CU_ASSERT_EQUAL(s->processes[0].asid.value, 4095);
    scenario_free(s);
}

/* tlb entries without ways get the ways vmviz-scenario(5) states: 4, or
 * all of them when there are fewer; the default must divide the entries. */
static void test_tlb_default_ways(void)
{
    static const struct { const char *tlb; uint64_t ways; } good[] = {
        {"{entries: 3}", 3}, {"{entries: 1}", 1}, {"{entries: 64}", 4},
        {"{entries: 12}", 4}, {"{entries: 10, ways: 2}", 2}, {"{ways: 8}", 8},
    };
    char text[512], err[2048];

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        snprintf(text, sizeof text, "title: t\nmachine: {tlb: %s}\nprocesses: [{name: d, "
                 "pid: 1}]\nsteps: [pause: ]\n", good[i].tlb);
        struct scenario *s = load_text("tlb.yaml", text, err, sizeof err);
        if (s == NULL)
            fprintf(stderr, "\n%s", err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_TRUE(s->machine.tlb.ways.present);
        CU_ASSERT_EQUAL(s->machine.tlb.ways.value, good[i].ways);
        CU_ASSERT_EQUAL(s->machine.tlb.ways_defaulted, strstr(good[i].tlb, "ways") == NULL);
        scenario_free(s);
    }
    struct scenario *s = load_text("tlb.yaml", "title: t\nmachine: {tlb: {entries: 10}}\n"
                                   "processes: [{name: d, pid: 1}]\nsteps: [pause: ]\n",
                                   err, sizeof err);
    CU_ASSERT_PTR_NULL(s);
    scenario_free(s);
    check_string(err, "tlb.yaml:2:26: error: 'entries' is 10, which the default 4 ways do not "
                 "divide (expected a multiple of 4, fewer than 4 entries, or 'ways' given)\n",
                 "entries 10");
}

/* Only regular files are read, and none is waited on. */
static void test_scenario_not_regular(void)
{
    struct diag d;
    char fifo[512], want[1200];
    const char *dir = getenv("TMPDIR");

    CU_ASSERT_PTR_NULL(scenario_load("data", &d));
    check_string(printed(&d), "data: error: cannot read the scenario: it is a directory "
                 "(expected a regular file)\n", "directory");
    CU_ASSERT_PTR_NULL(scenario_load("/dev/zero", &d));
    check_string(printed(&d), "/dev/zero: error: cannot read the scenario: it is a character "
                 "device (expected a regular file)\n", "device");
    snprintf(fifo, sizeof fifo, "%s/vmviz-loader-%ld.yaml", dir && *dir ? dir : "/tmp",
             (long)getpid());
    CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
    CU_ASSERT_PTR_NULL(scenario_load(fifo, &d));
    snprintf(want, sizeof want, "%s: error: cannot read the scenario: it is a FIFO (expected "
             "a regular file)\n", fifo);
    check_string(printed(&d), want, "FIFO");
    unlink(fifo);
}

/* ---- the bad-file corpus ---------------------------------------------- */

static const struct {
    const char *file;
    const char *error;   /* the exact line diag_print writes */
} bad_files[] = {
    {"alias-bomb.yaml", "data/bad/alias-bomb.yaml:5:43: error: too many YAML nodes once "
     "aliases are expanded (expected at most 2000000; is an alias repeated too often?)"},
    {"alias-cycle.yaml", "data/bad/alias-cycle.yaml:5:31: error: alias '*loop' is used "
     "inside its own anchor (expected an anchor that is complete)"},
    {"area-before-mmap.yaml", "data/bad/area-before-mmap.yaml:8:12: error: unknown area "
     "'heap' (expected the name of a process area, of a kernel area or of an earlier mmap)"},
    {"bad-access.yaml", "data/bad/bad-access.yaml:8:44: error: unknown access 'wirte' "
     "(expected read, write or exec; did you mean 'write'?)"},
    {"bad-address.yaml", "data/bad/bad-address.yaml:8:11: error: 'read' is 'buf*2' "
     "(expected an address: a number, an area name, or name+number or name-number)"},
    {"bad-bool.yaml", "data/bad/bad-bool.yaml:6:57: error: 'shared' is 'yes' "
     "(expected true or false)"},
    {"bad-expect.yaml", "data/bad/bad-expect.yaml:8:28: error: 'minor_faults' is 'lots' "
     "(expected a number, or +N or -N for a change since the previous expect)"},
    {"bad-name.yaml", "data/bad/bad-name.yaml:6:16: error: 'name' is 'my buf' (expected "
     "a name of letters, digits, '_' and '.', starting with a letter or '_')"},
    {"bad-prot.yaml", "data/bad/bad-prot.yaml:6:56: error: 'prot' is 'rwz' (expected 3 "
     "characters like r-x: r or -, then w or -, then x or -)"},
    {"bad-refs-entry.yaml", "data/bad/bad-refs-entry.yaml:8:15: error: a refs entry is "
     "'0x' (expected a page number, optionally followed by w for a write)"},
    {"bad-refs-string.yaml", "data/bad/bad-refs-string.yaml:8:18: error: a refs entry is "
     "'2q' (expected a page number, optionally followed by w for a write)"},
    {"bad-size.yaml", "data/bad/bad-size.yaml:8:29: error: 'size' is '12XB' (expected a "
     "size like 4096, 16KiB or 2MiB)"},
    {"bad-trace-line.yaml", "data/bad/../traces/bad-rw.txt:3:1: error: unknown access 'Q' "
     "(expected R, W or X followed by an address)"},
    {"duplicate-area.yaml", "data/bad/duplicate-area.yaml:7:16: error: duplicate area "
     "'buf' in this process (expected each area name once per process)"},
    {"duplicate-key.yaml", "data/bad/duplicate-key.yaml:4:3: error: duplicate key "
     "'frames' in machine (expected each key once)"},
    {"duplicate-pid.yaml", "data/bad/duplicate-pid.yaml:5:20: error: duplicate pid 7 "
     "(expected each process to have its own pid)"},
    {"empty-file.yaml", "data/bad/empty-file.yaml:1:1: error: the file is empty (expected "
     "a mapping with title, processes and steps)"},
    {"empty-steps.yaml", "data/bad/empty-steps.yaml:7:8: error: 'steps' is an empty list "
     "(expected at least one step)"},
    {"invalid-utf8.yaml", "data/bad/invalid-utf8.yaml:1:13: error: invalid text: invalid "
     "trailing UTF-8 octet (expected UTF-8 text without control characters)"},
    {"levels-too-many.yaml", "data/bad/levels-too-many.yaml:3:11: error: 'levels' has 6 "
     "entries (expected 1 to 5 index widths)"},
    {"long-string.yaml", "data/bad/long-string.yaml:8:10: error: 'say' is too long, 5000 "
     "bytes (expected at most 4096)"},
    {"missing-steps.yaml", "data/bad/missing-steps.yaml:1:1: error: missing key 'steps' "
     "at the top level (expected a list of at least one step)"},
    {"missing-title.yaml", "data/bad/missing-title.yaml:1:1: error: missing key 'title' "
     "at the top level (expected a title: line naming the scenario)"},
    {"mprotect-no-prot.yaml", "data/bad/mprotect-no-prot.yaml:8:15: error: missing key "
     "'prot' in mprotect (expected 3 characters like r-x: r or -, then w or -, then x or -)"},
    {"munmap-both.yaml", "data/bad/munmap-both.yaml:8:31: error: 'addr' together with "
     "'name' (expected either name, or addr with size)"},
    {"nesting-too-deep.yaml", "data/bad/nesting-too-deep.yaml:32:53: error: repeat nested "
     "too deeply (expected at most 8 levels of repeat)"},
    {"no-processes.yaml", "data/bad/no-processes.yaml:2:12: error: 'processes' is an "
     "empty list (expected at least one process)"},
    {"not-a-mapping.yaml", "data/bad/not-a-mapping.yaml:1:1: error: the scenario is a list "
     "(expected a mapping with title, processes and steps)"},
    {"nul-in-string.yaml", "data/bad/nul-in-string.yaml:8:10: error: 'say' contains a NUL "
     "character (expected text)"},
    {"number-overflow.yaml", "data/bad/number-overflow.yaml:6:28: error: 'start' is "
     "'0x1_0000_0000_0000_0000' (expected a number below 2^64)"},
    {"offset-without-file.yaml", "data/bad/offset-without-file.yaml:6:57: error: 'offset' "
     "without 'file' or 'device' (expected file: NAME or device: NAME next to it)"},
    {"only-comment.yaml", "data/bad/only-comment.yaml:1:1: error: the file is empty "
     "(expected a mapping with title, processes and steps)"},
    {"page-size-zero.yaml", "data/bad/page-size-zero.yaml:3:14: error: 'page_size' is '0' "
     "(expected a size greater than 0)"},
    {"pause-false.yaml", "data/bad/pause-false.yaml:8:12: error: 'pause' is 'false' "
     "(expected nothing, or true)"},
    {"size-overflow.yaml", "data/bad/size-overflow.yaml:8:29: error: 'size' is "
     "'99999999TiB' (expected a size below 2^64 bytes)"},
    {"step-not-mapping.yaml", "data/bad/step-not-mapping.yaml:8:5: error: a step is 'read' "
     "(expected a one-key mapping naming the step, such as '- read: 0x1000')"},
    {"step-two-keys.yaml", "data/bad/step-two-keys.yaml:9:5: error: a step has a second "
     "key 'pid' next to 'read' (expected one key per step; indent options under it, as in "
     "'- read: {...}')"},
    {"stride-too-big.yaml", "data/bad/stride-too-big.yaml:8:44: error: 'stride' is 8192 "
     "(expected more than 0 and at most the size, 4096)"},
    {"stride-zero.yaml", "data/bad/stride-zero.yaml:8:45: error: 'stride' is 0 (expected "
     "more than 0 and at most the size, 65536)"},
    {"syntax-error.yaml", "data/bad/syntax-error.yaml:4:10: error: invalid YAML: did not "
     "find expected ',' or '}' (while parsing a flow mapping at line 3, column 8)"},
    {"tab-indent.yaml", "data/bad/tab-indent.yaml:8:1: error: invalid YAML: found "
     "character that cannot start any token (while scanning for the next token at line 8, "
     "column 1)"},
    {"times-too-large.yaml", "data/bad/times-too-large.yaml:8:21: error: 'times' is "
     "'2000000' (expected a number from 1 to 1000000)"},
    {"too-many-accesses.yaml", "data/bad/too-many-accesses.yaml:8:5: error: too many "
     "accesses: the scenario would perform more than 50000000 (expected at most 50000000; "
     "use smaller sizes, fewer repeats or a trace limit)"},
    {"too-many-steps.yaml", "data/bad/too-many-steps.yaml:6:342: error: too many steps "
     "(expected at most 100000 in the file, counting nested steps and aliases)"},
    {"trace-format.yaml", "data/bad/trace-format.yaml:8:48: error: unknown trace format "
     "'lackee' (expected pages, rw or lackey; did you mean 'lackey'?)"},
    {"trace-missing.yaml", "data/bad/trace-missing.yaml:8:19: error: cannot read trace "
     "'data/bad/../traces/no-such-file.txt': No such file or directory (expected a "
     "readable file)"},
    {"trace-too-many.yaml", "data/bad/trace-too-many.yaml:5:5: error: too many accesses: "
     "the scenario would perform more than 50000000 (expected at most 50000000; use "
     "smaller sizes, fewer repeats or a trace limit)"},
    {"two-documents.yaml", "data/bad/two-documents.yaml:9:1: error: a second YAML "
     "document (expected one scenario per file)"},
    {"undefined-alias.yaml", "data/bad/undefined-alias.yaml:8:11: error: unknown alias "
     "'*nowhere' (expected an anchor '&nowhere' defined earlier)"},
    {"yaml-too-deep.yaml", "data/bad/yaml-too-deep.yaml:8:72: error: YAML nested too "
     "deeply (expected at most 64 levels of lists and mappings)"},
    {"undefined-area.yaml", "data/bad/undefined-area.yaml:8:11: error: unknown area 'bfu' "
     "(expected the name of a process area, of a kernel area or of an earlier mmap; did you "
     "mean 'buf'?)"},
    {"unknown-file.yaml", "data/bad/unknown-file.yaml:8:55: error: unknown file "
     "'date.bin' (expected a name declared under files; did you mean 'data.bin'?)"},
    {"unknown-key-list.yaml", "data/bad/unknown-key-list.yaml:8:36: error: unknown key "
     "'colour' in fill (expected start, size, stride, access, pid or kernel)"},
    {"unknown-key-suggest.yaml", "data/bad/unknown-key-suggest.yaml:3:3: error: unknown "
     "key 'framse' in machine (expected preset, va_bits, page_size, levels, frames, "
     "table_frames, swap, tlb, policy, seed, nru_interval, fault_around, readahead, "
     "kernel or devices; did you mean 'frames'?)"},
    {"unknown-step-list.yaml", "data/bad/unknown-step-list.yaml:8:5: error: unknown step "
     "'frobnicate' (expected read, write, exec, refs, fill, mmap, munmap, mprotect, "
     "map, switch, fork, exit, execve, spawn, brk, repeat, say, chapter, pause, expect, trace "
     "or ask)"},
    {"unknown-step.yaml", "data/bad/unknown-step.yaml:8:5: error: unknown step 'wirte' "
     "(expected read, write, exec, refs, fill, mmap, munmap, mprotect, map, switch, fork, "
     "exit, execve, spawn, brk, repeat, say, chapter, pause, expect, trace or ask; did you mean "
     "'write'?)"},
    {"wrong-type-list.yaml", "data/bad/wrong-type-list.yaml:3:9: error: 'swap' is a list "
     "(expected a number: decimal, 0x hex or 0b binary)"},
    {"wrong-type-number.yaml", "data/bad/wrong-type-number.yaml:3:11: error: 'frames' is "
     "'lots' (expected a number: decimal, 0x hex or 0b binary)"},
};

static void test_bad_files(void)
{
    CU_ASSERT_TRUE(sizeof bad_files / sizeof bad_files[0] >= 25);
    for (size_t i = 0; i < sizeof bad_files / sizeof bad_files[0]; i++) {
        char path[256], want[1024];
        struct diag d;
        snprintf(path, sizeof path, "data/bad/%s", bad_files[i].file);
        snprintf(want, sizeof want, "%s\n", bad_files[i].error);
        memset(&d, 0, sizeof d);
        struct scenario *s = scenario_load(path, &d);
        CU_ASSERT_PTR_NULL(s);
        scenario_free(s);
        check_string(s ? "(loaded)\n" : printed(&d), want, path);
    }
}

/* ---- robustness -------------------------------------------------------- */

/* Reads a whole small file; NULL when it cannot. */
static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (fp == NULL)
        return NULL;
    if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0
        && (buf = malloc((size_t)n + 1)) != NULL) {
        *len = fread(buf, 1, (size_t)n, fp);
        buf[*len] = '\0';
    }
    fclose(fp);
    return buf;
}

/* A loaded scenario or an error with a position and a message: never a
 * crash, a hang or a leak (the sanitizers watch). */
static void check_loads_or_explains(const char *text, size_t len, unsigned *loaded,
                                    unsigned *failed)
{
    struct diag d;

    memset(&d, 0, sizeof d);
    struct scenario *s = scenario_load_string("data/good/mutant.yaml", text, len, &d);
    if (s != NULL) {
        (*loaded)++;
        CU_ASSERT_TRUE(s->step_count >= 1);
        CU_ASSERT_TRUE(s->total_accesses <= SCENARIO_MAX_ACCESSES);
        scenario_free(s);
        return;
    }
    (*failed)++;
    CU_ASSERT_TRUE(d.line >= 1);
    CU_ASSERT_TRUE(d.col >= 1);
    CU_ASSERT_TRUE(d.message[0] != '\0');
    CU_ASSERT_STRING_EQUAL(d.file, "data/good/mutant.yaml");
}

static void test_truncations_and_mutations(void)
{
    size_t len = 0;
    char *text = slurp("data/good/every-step.yaml", &len);
    unsigned loaded = 0, failed = 0;
    uint32_t rng = 12345;
    static const char junk[] = "{}[]:,-&*!|>'\"#%@` \n\tx09w+";

    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_TRUE_FATAL(len > 1000);
    /* Every prefix of a good file. */
    for (size_t cut = 0; cut <= len; cut++)
        check_loads_or_explains(text, cut, &loaded, &failed);
    /* The whole file loads, the empty prefix does not. */
    CU_ASSERT_TRUE(loaded >= 1);
    CU_ASSERT_TRUE(failed >= len / 2);
    /* Single- and double-byte mutations, from a fixed seed. */
    char *copy = malloc(len + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    for (int round = 0; round < 3000; round++) {
        memcpy(copy, text, len + 1);
        for (int k = 0; k < 1 + round % 2; k++) {
            rng = rng * 1103515245u + 12345u;
            size_t at = (rng >> 8) % len;
            rng = rng * 1103515245u + 12345u;
            copy[at] = junk[(rng >> 8) % (sizeof junk - 1)];
        }
        check_loads_or_explains(copy, len, &loaded, &failed);
    }
    free(copy);
    free(text);
}

void suite_loader_register(void)
{
    CU_pSuite suite = CU_add_suite("loader", NULL, NULL);

    CU_add_test(suite, "diag_print formats one line", test_diag_print);
    CU_add_test(suite, "diag_set truncates long text", test_diag_truncates);
    CU_add_test(suite, "diag_suggest finds close words", test_diag_suggest);
    CU_add_test(suite, "numbers: decimal, hex, binary, underscores", test_numbers);
    CU_add_test(suite, "sizes with binary suffixes", test_sizes);
    CU_add_test(suite, "prot strings and names", test_prot_and_names);
    CU_add_test(suite, "step kinds come from one table", test_step_kinds);
    CU_add_test(suite, "the lazy-allocation example", test_lazy_example);
    CU_add_test(suite, "every step kind and key", test_every_step);
    CU_add_test(suite, "programs, execve, spawn and brk", test_programs);
    CU_add_test(suite, "kernel areas and kernel-mode steps", test_kernel_areas);
    CU_add_test(suite, "devices and the areas that map them", test_devices);
    CU_add_test(suite, "address expressions", test_address_expressions);
    CU_add_test(suite, "shape errors name the container", test_shape_errors);
    CU_add_test(suite, "mmap names and aliases", test_mmap_names_and_aliases);
    CU_add_test(suite, "limits at the edge", test_limits_at_the_edge);
    CU_add_test(suite, "file size limit", test_file_too_large);
    CU_add_test(suite, "missing scenario file", test_missing_file);
    CU_add_test(suite, "bad files give their exact errors", test_bad_files);
    CU_add_test(suite, "truncated and mutated files never crash",
                test_truncations_and_mutations);
    CU_add_test(suite, "escapes: the visible form", test_escape_forms);
    CU_add_test(suite, "escapes: bounds and streams", test_escape_bounds);
    CU_add_test(suite, "errors show what users wrote escaped", test_diag_escapes);
    CU_add_test(suite, "lists of choices and hints", test_diag_choices);
    CU_add_test(suite, "numbers inside words, no octal", test_number_length);
    CU_add_test(suite, "pid and ASID limits", test_pid_and_asid_limits);
    CU_add_test(suite, "TLB ways when only entries are given", test_tlb_default_ways);
    CU_add_test(suite, "only regular files are scenarios", test_scenario_not_regular);
    CU_add_test(suite, "a chapter's Linux counts", test_chapter_linux_counts);
}
