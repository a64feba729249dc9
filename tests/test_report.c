/* Tests of src/play/report: a small scenario played through reporter_event
 * as text and as JSON Lines at the event, access and operation levels, and
 * report_stats. The JSON is checked by a small strict parser written here
 * (one object per line, valid strings and numbers, stable keys). */
#include <CUnit/CUnit.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play/narrate.h"
#include "play/report.h"
#include "play/timeline.h"
#include "util/escape.h"
#include "scenario/scenario.h"
#include "tui/term.h"
#include "json_check.h"
#include "tui_helpers.h"

void suite_report_register(void);

/* Two frames, a TLB of 4 entries: a table allocation, a TLB hit, a dirty
 * eviction to swap, a failed expectation, a SIGSEGV, mmap/munmap, a step
 * that cannot run, a reference string. */
static const char report_yaml[] =
    "title: report\n"                                   /* 1 */
    "machine:\n"                                        /* 2 */
    "  preset: tiny\n"                                  /* 3 */
    "  frames: 2\n"                                     /* 4 */
    "  table_frames: 4\n"                               /* 5 */
    "  swap: 8\n"                                       /* 6 */
    "  tlb: {entries: 4, ways: 2}\n"                    /* 7 */
    "  policy: fifo\n"                                  /* 8 */
    "processes:\n"                                      /* 9 */
    "  - name: demo\n"                                  /* 10 */
    "    pid: 1\n"                                      /* 11 */
    "    areas:\n"                                      /* 12 */
    "      - {name: buf, start: 0x400, size: 0x100}\n"  /* 13 */
    "steps:\n"                                          /* 14 */
    "  - chapter: First touch\n"                        /* 15 */
    "  - say: \"The \\\"first\\\" write\\tfaults.\"\n"  /* 16 */
    "  - write: buf+0x5\n"                              /* 17 */
    "  - write: buf+0x48\n"                             /* 18 */
    "  - read: buf+0x8\n"                               /* 19 */
    "  - write: buf+0x81\n"                             /* 20 */
    "  - expect: {faults: 3, swap_outs: 1, tlb_hits: 2}\n" /* 21 */
    "  - read: 0x3fc0\n"                                /* 22 */
    "  - mmap: {name: heap, size: 0x80}\n"              /* 23 */
    "  - pause:\n"                                      /* 24 */
    "  - refs: \"1 2 1\"\n"                             /* 25 */
    "  - munmap: {name: heap}\n"                        /* 26 */
    "  - munmap: {name: heap}\n";                       /* 27 */

/* The YAML line of each step, in order (13 leaf steps). */
static const unsigned step_lines[] = {15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27};

/* What the run did, worked out by hand: the counters at the end. */
static const struct counters want_final = {
    .accesses = 8, .reads = 5, .writes = 3, .tlb_hits = 2, .tlb_misses = 11,
    .page_walks = 11, .faults = 5, .minor_faults = 5, .segfaults = 1, .evictions = 3,
    .swap_outs = 3, .zero_fills = 5, .table_allocs = 3,
};

/* ---- running a report into memory ------------------------------------ */

struct output {
    char *text;
    size_t len;
    uint64_t end;            /* the last position */
    uint64_t op_total;
    struct counters initial; /* before the first event (the root tables) */
    struct counters final;
    size_t events;           /* events reported */
};

static struct scenario *load_report(void)
{
    struct diag d;
    struct scenario *s = scenario_load_string("report.yaml", report_yaml, strlen(report_yaml), &d);
    if (s == NULL)
        fprintf(stderr, "\nreport.yaml: %s:%u:%u: %s\n", d.file, d.line, d.col, d.message);
    CU_ASSERT_PTR_NOT_NULL(s);
    return s;
}

/* Plays s through a reporter into o; with `finish`, ends as vmviz run
 * does (reporter_finish, then Linux's totals). false when it could not. */
static bool play_report(const struct scenario *s, enum report_format format, enum tl_unit level,
                        bool finish, struct output *o)
{
    memset(o, 0, sizeof *o);
    struct diag d;
    struct timeline *tl = timeline_create(s, NULL, &d);
    CU_ASSERT_PTR_NOT_NULL(tl);
    FILE *out = open_memstream(&o->text, &o->len);
    CU_ASSERT_PTR_NOT_NULL(out);
    if (tl == NULL || out == NULL) {
        if (out)
            fclose(out);
        free(o->text);
        o->text = NULL;
        timeline_destroy(tl);
        return false;
    }
    struct reporter r;
    o->initial = timeline_machine(tl)->counters;
    reporter_init(&r, out, format, level, timeline_machine(tl));
    const struct tl_event *e;
    while ((e = timeline_next(tl)) != NULL) {
        reporter_event(&r, e, timeline_machine(tl));
        o->events++;
    }
    if (finish) {
        reporter_finish(&r, timeline_machine(tl));
        report_linux_totals(out, format, s);
    }
    fclose(out);
    o->end = timeline_position(tl);
    o->op_total = timeline_op_total(tl);
    o->final = timeline_machine(tl)->counters;
    timeline_destroy(tl);
    return true;
}

/* Plays the report scenario through a reporter; false when it could not. */
static bool run_report(enum report_format format, enum tl_unit level, struct output *o)
{
    memset(o, 0, sizeof *o);
    struct scenario *s = load_report();
    if (s == NULL)
        return false;
    bool played = play_report(s, format, level, false, o);
    scenario_free(s);
    return played;
}

/* Splits text into lines (in place); returns how many. */
static size_t split_lines(char *text, char **lines, size_t max)
{
    size_t n = 0;
    char *p = text;
    while (p && *p && n < max) {
        char *nl = strchr(p, '\n');
        lines[n++] = p;
        if (nl == NULL)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    return n;
}

/* ---- the parser's own checks ----------------------------------------- */

static void test_json_parser(void)
{
    struct jobject o;
    CU_ASSERT_TRUE(json_line("{\"a\":1,\"b\":\"x\\ty\",\"c\":[1,{\"d\":null}],\"e\":true}", &o));
    CU_ASSERT_EQUAL(o.count, 4);
    uint64_t v = 0;
    CU_ASSERT_TRUE(jnum(&o, "a", &v));
    CU_ASSERT_EQUAL(v, 1);
    CU_ASSERT_TRUE(jstr_is(&o, "b", "x\\ty"));
    CU_ASSERT_FALSE(json_line("{\"a\":0x10}", &o));
    CU_ASSERT_FALSE(json_line("{\"a\":01}", &o));
    CU_ASSERT_FALSE(json_line("{\"a\":\"x\ty\"}", &o));
    CU_ASSERT_FALSE(json_line("{\"a\":1}{\"b\":2}", &o));
    CU_ASSERT_FALSE(json_line("{\"a\":1,}", &o));
    CU_ASSERT_FALSE(json_line("{\"a\":\"\\q\"}", &o));
}

/* ---- text at the event level ----------------------------------------- */

static void test_text_events(void)
{
    struct output o;
    if (!run_report(REPORT_TEXT, TL_UNIT_EVENT, &o))
        return;
    static char *lines[4096];
    size_t n = split_lines(o.text, lines, 4096);
    /* One line per event. */
    CU_ASSERT_EQUAL(n, o.end);
    CU_ASSERT_TRUE(memcmp(&o.final, &want_final, sizeof want_final) == 0);
    /* These sentences, whole lines, in this order. */
    static const char *const want[] = {
        "Chapter: First touch",
        /* The tab of the say text in its visible form (scenario/escape.h). */
        "The \"first\" write\\tfaults.",
        "pid 1: write at 0x405. The MMU splits the address: L1 index 1, L2 index 0, "
        "offset 0x5.",
        "TLB miss: set 0 does not hold page 0x10, so the MMU walks the page tables from the "
        "root that CR3 points at.",
        "Page fault at 0x405, error code 0x6 = write, user mode, page not present: no entry "
        "maps this page yet. The CPU stops the instruction and enters the kernel's fault "
        "handler.",
        "The L2 table was missing on the way: frame 3 now holds a new one, and L1 entry 1 "
        "points to it. Linux writes such an entry present, writable, user, accessed and "
        "dirty: only the leaf entry limits what an access may do.",
        "Frame 0 is filled with zeros, so the program never sees old data.",
        "The translation page 0x10 -> frame 0 is stored in TLB set 0 way 0.",
        "Done: virtual 0x405 is physical 0x5 (frame 0, offset 0x5).",
        "Done: virtual 0x448 is physical 0x48 (frame 1, offset 0x8).",
        "TLB hit: set 0 way 0 already holds page 0x10 -> frame 0, so no page-table walk is "
        "needed.",
        "Done: virtual 0x408 is physical 0x8 (frame 0, offset 0x8).",
        "No frame is free for a page (all 2 free frames are kept for page tables only). The "
        "fifo policy picks frame 0 (pid 1 page 0x10): frame 0 holds the oldest page; swap slot 0 "
        "is reserved for it. Every mapping of it is removed first; only then is it written out "
        "or dropped, so no one can change it meanwhile.",
        "The reverse map says pid 1 maps frame 0 at page 0x10: that entry now reads not "
        "present, swap slot 0. It names the swap slot the page is about to be written to. The "
        "entry was dirty: the page is marked dirty, to be written out.",
        "The TLB still held that translation (set 0 way 0): it is invalidated so no one uses "
        "the stale frame.",
        "No mapping is left. The page is anonymous memory with no other copy: it is written to "
        "swap slot 0, and frame 0 is free.",
        "Done: virtual 0x481 is physical 0x1 (frame 0, offset 0x1).",
        "Expect: faults 3 ok; swap_outs 1 ok; tlb_hits 1 FAILED, expected 2.",
        "SIGSEGV (SEGV_MAPERR) to pid 1: no area contains the address.",
        "Pause.",
        "Done: virtual 0x40 is physical 0x40 (frame 1, offset 0x0).",
        "The step cannot run: no area named 'heap' is mapped.",
    };
    size_t at = 0;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        size_t k = at;
        while (k < n && strcmp(lines[k], want[i]) != 0)
            k++;
        if (k == n)
            fprintf(stderr, "\nmissing (in order): %s\n", want[i]);
        CU_ASSERT_TRUE(k < n);
        if (k < n)
            at = k + 1;
    }
    /* Each line is the narration of its event, in its visible form. */
    struct scenario *s = load_report();
    struct diag d;
    struct timeline *tl = s ? timeline_create(s, NULL, &d) : NULL;
    if (tl) {
        const struct tl_event *e;
        size_t i = 0, bad = 0;
        char buf[512], shown[2048];
        while ((e = timeline_next(tl)) != NULL && i < n) {
            narrate(e, timeline_machine(tl), buf, sizeof buf);
            escape_text(shown, sizeof shown, buf, 0);
            bad += strcmp(shown, lines[i++]) != 0;
        }
        CU_ASSERT_EQUAL(bad, 0);
        CU_ASSERT_EQUAL(i, n);
        timeline_destroy(tl);
    }
    scenario_free(s);
    free(o.text);
}

/* ---- JSON at the event level ----------------------------------------- */

static void test_json_events(void)
{
    struct output o;
    if (!run_report(REPORT_JSON, TL_UNIT_EVENT, &o))
        return;
    static char *lines[4096];
    size_t n = split_lines(o.text, lines, 4096);
    CU_ASSERT_EQUAL(n, o.end);
    /* The key sequence first seen for each event name. */
    static char seen_name[64][32];
    static char seen_keys[64][512];
    size_t nseen = 0;
    uint64_t access_done = 0, segfaults = 0, victims = 0, bad_lines = 0, unstable = 0;
    uint64_t step = 0;
    for (size_t i = 0; i < n; i++) {
        struct jobject obj;
        if (!json_line(lines[i], &obj)) {
            fprintf(stderr, "\nnot one JSON object: %s\n", lines[i]);
            bad_lines++;
            continue;
        }
        /* Fixed leading keys, narration last. */
        static const char *const head[] = {"position", "step", "line", "op", "event"};
        bool ok = obj.count >= 6;
        for (int k = 0; ok && k < 5; k++)
            ok = strcmp(obj.fields[k].key, head[k]) == 0;
        ok = ok && strcmp(obj.fields[obj.count - 1].key, "narration") == 0;
        uint64_t position = 0, line = 0, this_step = 0;
        ok = ok && jnum(&obj, "position", &position) && position == i + 1;
        ok = ok && jnum(&obj, "step", &this_step) && this_step >= step && this_step >= 1 &&
             this_step <= sizeof step_lines / sizeof step_lines[0];
        step = this_step;
        ok = ok && jnum(&obj, "line", &line) && line == step_lines[this_step - 1];
        if (!ok) {
            fprintf(stderr, "\nbad keys or numbers: %s\n", lines[i]);
            bad_lines++;
            continue;
        }
        /* The same event name always has the same keys. */
        const struct jfield *ev = jget(&obj, "event");
        char name[32], keys[512] = "";
        snprintf(name, sizeof name, "%.*s", (int)ev->len - 2, ev->value + 1);
        for (int k = 0; k < obj.count; k++) {
            size_t used = strlen(keys);
            snprintf(keys + used, sizeof keys - used, "%s,", obj.fields[k].key);
        }
        size_t s = 0;
        while (s < nseen && strcmp(seen_name[s], name) != 0)
            s++;
        if (s == nseen && nseen < 64) {
            snprintf(seen_name[nseen], sizeof seen_name[nseen], "%s", name);
            snprintf(seen_keys[nseen], sizeof seen_keys[nseen], "%s", keys);
            nseen++;
        } else if (s < nseen && strcmp(seen_keys[s], keys) != 0) {
            /* walk_step, victim_chosen etc. may differ only by optional
             * keys that are absent (a frame, a slot); the core never. */
            if (strcmp(name, "access_done") == 0 || strcmp(name, "access_begin") == 0 ||
                strcmp(name, "page_fault") == 0 || strcmp(name, "tlb_miss") == 0) {
                fprintf(stderr, "\n%s keys changed: %s vs %s\n", name, seen_keys[s], keys);
                unstable++;
            }
        }
        /* Access events carry pid, access, va, vpn = va >> 6 (64-byte pages). */
        uint64_t va = 0, vpn = 0, pid = 0;
        if (jget(&obj, "access")) {
            CU_ASSERT_TRUE(jnum(&obj, "pid", &pid) && pid == 1);
            CU_ASSERT_TRUE(jnum(&obj, "va", &va) && jnum(&obj, "vpn", &vpn) && vpn == va >> 6);
        }
        if (strcmp(name, "access_done") == 0) {
            uint64_t frame = 0, pa = 0;
            CU_ASSERT_TRUE(jnum(&obj, "frame", &frame) && jnum(&obj, "pa", &pa));
            CU_ASSERT_EQUAL(pa, frame * 64 + (va & 63));
            CU_ASSERT_TRUE(frame < 2);
            /* The first access: buf+0x5 in frame 0. */
            if (access_done == 0)
                CU_ASSERT_TRUE(va == 0x405 && pa == 0x5);
            access_done++;
        }
        if (strcmp(name, "segfault") == 0) {
            CU_ASSERT_TRUE(va == 0x3fc0 && jstr_is(&obj, "fault", "SEGV_MAPERR"));
            segfaults++;
        }
        if (strcmp(name, "page_fault") == 0) {
            uint64_t code = 0;
            CU_ASSERT_TRUE(jnum(&obj, "error_code", &code));
            /* Not present, user mode, and the write bit for writes. */
            CU_ASSERT_EQUAL(code, jstr_is(&obj, "access", "write") ? 6u : 4u);
        }
        if (strcmp(name, "walk_step") == 0) {
            uint64_t level = 9, index = 0, entry = 0, frame = 0;
            CU_ASSERT_TRUE(jnum(&obj, "level", &level) && level < 2);
            CU_ASSERT_TRUE(jnum(&obj, "index", &index) && index < 16);
            CU_ASSERT_TRUE(jnum(&obj, "entry", &entry));
            /* Tables live in the 4 reserved frames 2..5. */
            CU_ASSERT_TRUE(jnum(&obj, "frame", &frame) && frame >= 2 && frame <= 5);
        }
        if (strcmp(name, "tlb_miss") == 0 || strcmp(name, "tlb_hit") == 0) {
            uint64_t set = 9;
            CU_ASSERT_TRUE(jnum(&obj, "set", &set) && set < 2);
            CU_ASSERT_PTR_NULL(jget(&obj, "index"));
        }
        if (strcmp(name, "victim_chosen") == 0) {
            uint64_t victim = 9, vpid = 0, vvpn = 0;
            CU_ASSERT_TRUE(jnum(&obj, "victim", &victim) && victim < 2);
            CU_ASSERT_TRUE(jnum(&obj, "victim_pid", &vpid) && vpid == 1);
            CU_ASSERT_TRUE(jnum(&obj, "victim_vpn", &vvpn));
            /* fifo: buf's first page, then its second, then its third. */
            static const uint64_t want_vpn[] = {0x10, 0x11, 0x12};
            if (victims < 3)
                CU_ASSERT_EQUAL(vvpn, want_vpn[victims]);
            CU_ASSERT_TRUE(jget(&obj, "detail") && jget(&obj, "detail")->type == 's');
            victims++;
        }
        if (strcmp(name, "swap_out") == 0) {
            uint64_t slot = 99;
            CU_ASSERT_TRUE(jnum(&obj, "slot", &slot) && slot < 8);
        }
        if (strcmp(name, "say") == 0)
            CU_ASSERT_TRUE(jstr_is(&obj, "text", "The \\\"first\\\" write\\tfaults."));
        if (strcmp(name, "chapter") == 0)
            CU_ASSERT_TRUE(jstr_is(&obj, "text", "First touch"));
        if (strcmp(name, "expect") == 0) {
            const struct jfield *okf = jget(&obj, "ok");
            CU_ASSERT_TRUE(okf && okf->len == 5 && strncmp(okf->value, "false", 5) == 0);
            const struct jfield *checks = jget(&obj, "checks");
            CU_ASSERT_TRUE(checks && checks->type == 'a');
            CU_ASSERT_PTR_NOT_NULL(strstr(lines[i], "{\"counter\":\"tlb_hits\",\"relative\":false,"
                                                    "\"expected\":2,\"actual\":1,\"ok\":false}"));
            CU_ASSERT_PTR_NOT_NULL(strstr(lines[i], "{\"counter\":\"faults\",\"relative\":false,"
                                                    "\"expected\":3,\"actual\":3,\"ok\":true}"));
        }
        if (strcmp(name, "mmap") == 0) {
            uint64_t size = 0;
            CU_ASSERT_TRUE(jnum(&obj, "size", &size) && size == 0x80);
            CU_ASSERT_TRUE(jnum(&obj, "va", &va) && va % 64 == 0);
        }
        if (strcmp(name, "op_failed") == 0)
            CU_ASSERT_TRUE(jstr_is(&obj, "detail", "no area named 'heap' is mapped"));
    }
    CU_ASSERT_EQUAL(bad_lines, 0);
    CU_ASSERT_EQUAL(unstable, 0);
    CU_ASSERT_EQUAL(access_done, want_final.accesses - want_final.segfaults);
    CU_ASSERT_EQUAL(segfaults, 1);
    CU_ASSERT_EQUAL(victims, want_final.evictions);
    /* Every event name seen is one of the engine's or the timeline's. */
    for (size_t s = 0; s < nseen; s++) {
        bool known = strcmp(seen_name[s], "say") == 0 || strcmp(seen_name[s], "chapter") == 0 ||
                     strcmp(seen_name[s], "pause") == 0 || strcmp(seen_name[s], "expect") == 0;
        for (int k = 0; !known && k < EV_COUNT; k++)
            known = strcmp(seen_name[s], event_name((enum event_kind)k)) == 0;
        CU_ASSERT_TRUE(known);
    }
    free(o.text);
}

/* ---- the access level ------------------------------------------------ */

static void test_access_level(void)
{
    struct output o;
    if (!run_report(REPORT_TEXT, TL_UNIT_ACCESS, &o))
        return;
    static const char want[] =
        "Chapter: First touch\n"
        "The \"first\" write\\tfaults.\n"
        "pid 1 write 0x405 -> 0x5 (TLB miss, fault: zero_fill)\n"
        "pid 1 write 0x448 -> 0x48 (TLB miss, fault: zero_fill)\n"
        "pid 1 read 0x408 -> 0x8 (TLB hit)\n"
        "pid 1 write 0x481 -> 0x1 (TLB miss, fault: zero_fill)\n"
        "Expect: faults 3 ok; swap_outs 1 ok; tlb_hits 1 FAILED, expected 2.\n"
        "pid 1 read 0x3fc0: SIGSEGV (SEGV_MAPERR) to pid 1: no area contains the address.\n"
        "mmap: pid 1 gets area heap rw- at [0x3f40, 0x3fc0). Nothing is allocated yet: pages "
        "get frames only when touched.\n"
        "Pause.\n"
        "pid 1 read 0x40 -> 0x40 (TLB miss, fault: zero_fill)\n"
        "pid 1 read 0x80 -> 0x0 (TLB miss, fault: zero_fill)\n"
        "pid 1 read 0x40 -> 0x40 (TLB hit)\n"
        "munmap: pid 1 removes [0x3f40, 0x3fc0); 0 resident pages released.\n"
        "The step cannot run: no area named 'heap' is mapped.\n";
    if (strcmp(o.text, want) != 0)
        fprintf(stderr, "\naccess level, got:\n%s", o.text);
    CU_ASSERT_STRING_EQUAL(o.text, want);
    free(o.text);

    /* JSON: one object per access (its access_done or segfault event), and
     * one per other item. */
    if (!run_report(REPORT_JSON, TL_UNIT_ACCESS, &o))
        return;
    static char *lines[256];
    size_t n = split_lines(o.text, lines, 256);
    CU_ASSERT_EQUAL(n, 15);
    unsigned accesses = 0, others = 0;
    for (size_t i = 0; i < n; i++) {
        struct jobject obj;
        CU_ASSERT_TRUE(json_line(lines[i], &obj));
        if (jstr_is(&obj, "event", "access_done") || jstr_is(&obj, "event", "segfault"))
            accesses++;
        else
            others++;
    }
    CU_ASSERT_EQUAL(accesses, want_final.accesses);
    CU_ASSERT_EQUAL(others, 7);
    free(o.text);
}

/* ---- the operation level --------------------------------------------- */

static void test_op_level(void)
{
    struct output o;
    if (!run_report(REPORT_TEXT, TL_UNIT_OP, &o))
        return;
    static const char want[] =
        "Chapter: First touch\n"
        "The \"first\" write\\tfaults.\n"
        "step 3 (line 17) write: accesses +1 writes +1 tlb_misses +2 page_walks +2 faults +1 "
        "minor_faults +1 zero_fills +1 table_allocs +1\n"
        "step 4 (line 18) write: accesses +1 writes +1 tlb_misses +2 page_walks +2 faults +1 "
        "minor_faults +1 zero_fills +1\n"
        "step 5 (line 19) read: accesses +1 reads +1 tlb_hits +1\n"
        "step 6 (line 20) write: accesses +1 writes +1 tlb_misses +2 page_walks +2 faults +1 "
        "minor_faults +1 evictions +1 swap_outs +1 zero_fills +1\n"
        "Expect: faults 3 ok; swap_outs 1 ok; tlb_hits 1 FAILED, expected 2.\n"
        "step 8 (line 22) read: accesses +1 reads +1 tlb_misses +1 page_walks +1 segfaults +1\n"
        "step 9 (line 23) mmap: no counter changed\n"
        "Pause.\n"
        "step 11 (line 25) refs: accesses +3 reads +3 tlb_hits +1 tlb_misses +4 page_walks +4 "
        "faults +2 minor_faults +2 evictions +2 swap_outs +2 zero_fills +2 table_allocs +1\n"
        "step 12 (line 26) munmap: no counter changed\n"
        "step 13 (line 27) munmap: no counter changed\n";
    if (strcmp(o.text, want) != 0)
        fprintf(stderr, "\noperation level, got:\n%s", o.text);
    CU_ASSERT_STRING_EQUAL(o.text, want);
    /* One line per operation. */
    static char *lines[256];
    CU_ASSERT_EQUAL(split_lines(o.text, lines, 256), o.op_total);
    CU_ASSERT_EQUAL(o.op_total, 13);
    free(o.text);

    /* JSON: the changes of all operations add up to the final counters,
     * less the root table made before the first event. */
    if (!run_report(REPORT_JSON, TL_UNIT_OP, &o))
        return;
    size_t n = split_lines(o.text, lines, 256);
    CU_ASSERT_EQUAL(n, o.op_total);
    uint64_t sum[COUNTER_COUNT] = {0};
    unsigned done = 0;
    for (size_t i = 0; i < n; i++) {
        struct jobject obj;
        CU_ASSERT_TRUE(json_line(lines[i], &obj));
        uint64_t line = 0;
        CU_ASSERT_TRUE(jnum(&obj, "line", &line) && line == step_lines[i]);
        if (!jstr_is(&obj, "event", "op_done"))
            continue;
        done++;
        const struct jfield *changes = jget(&obj, "changes");
        CU_ASSERT_TRUE(changes && changes->type == 'o');
        if (!changes || changes->type != 'o')
            continue;
        struct jobject ch;
        char buf[1024];
        snprintf(buf, sizeof buf, "%.*s", (int)changes->len, changes->value);
        CU_ASSERT_TRUE(json_line(buf, &ch));
        for (int k = 0; k < ch.count; k++) {
            int id = counter_lookup(ch.fields[k].key);
            uint64_t v = 0;
            CU_ASSERT_TRUE(id >= 0 && jnum(&ch, ch.fields[k].key, &v) && v > 0);
            if (id >= 0)
                sum[id] += v;
        }
    }
    CU_ASSERT_EQUAL(done, 9);
    CU_ASSERT_EQUAL(o.initial.table_allocs, 1);
    for (int k = 0; k < COUNTER_COUNT; k++)
        CU_ASSERT_EQUAL(sum[k], counter_get(&want_final, (enum counter_id)k) -
                                    counter_get(&o.initial, (enum counter_id)k));
    free(o.text);
}

/* ---- stats ----------------------------------------------------------- */

static void test_stats(void)
{
    /* A distinct value in every counter, so a mix-up shows. */
    static const char *const names[] = {
#define NAME(name, text) #name,
        COUNTER_LIST(NAME)
#undef NAME
    };
    const size_t count = sizeof names / sizeof names[0];
    CU_ASSERT_EQUAL(count, COUNTER_COUNT);
    struct counters c;
    uint64_t value = 7;
#define SET(name, text) c.name = value; value = value * 3 + 1000001;
    COUNTER_LIST(SET)
#undef SET
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (out == NULL)
        return;
    report_stats(out, REPORT_TEXT, &c);
    fclose(out);
    /* "name value" lines, in table order, the values in one column. */
    static char *lines[64];
    size_t n = split_lines(text, lines, 64);
    CU_ASSERT_EQUAL(n, count);
    for (size_t i = 0; i < n && i < count; i++) {
        char name[64];
        unsigned long long v = 0;
        int used = 0;
        CU_ASSERT_EQUAL(sscanf(lines[i], "%63s %llu%n", name, &v, &used), 2);
        CU_ASSERT_STRING_EQUAL(name, names[i]);
        CU_ASSERT_EQUAL(v, counter_get(&c, (enum counter_id)i));
        CU_ASSERT_EQUAL((size_t)used, strlen(lines[i]));
        CU_ASSERT_TRUE(lines[i][13] == ' ' && lines[i][14] != ' ');
    }
    free(text);

    out = open_memstream(&text, &len);
    if (out == NULL)
        return;
    report_stats(out, REPORT_JSON, &c);
    fclose(out);
    CU_ASSERT_TRUE(len > 2 && text[len - 1] == '\n' && strchr(text, '\n') == text + len - 1);
    text[len - 1] = '\0';
    struct jobject obj;
    CU_ASSERT_TRUE(json_line(text, &obj));
    CU_ASSERT_EQUAL((size_t)obj.count, count);
    for (size_t i = 0; i < count && (int)i < obj.count; i++) {
        uint64_t v = 0;
        CU_ASSERT_STRING_EQUAL(obj.fields[i].key, names[i]);
        CU_ASSERT_TRUE(jnum(&obj, names[i], &v));
        CU_ASSERT_EQUAL(v, counter_get(&c, (enum counter_id)i));
    }
    free(text);

    /* The counters of the report scenario, run fast. */
    struct scenario *s = load_report();
    struct diag d;
    struct timeline *tl = s ? timeline_create(s, NULL, &d) : NULL;
    if (tl) {
        timeline_run_fast(tl);
        out = open_memstream(&text, &len);
        if (out) {
            report_stats(out, REPORT_JSON, &timeline_machine(tl)->counters);
            fclose(out);
            CU_ASSERT_STRING_EQUAL(text,
                                   "{\"accesses\":8,\"reads\":5,\"writes\":3,\"execs\":0,"
                                   "\"tlb_hits\":2,\"tlb_misses\":11,\"page_walks\":11,"
                                   "\"faults\":5,\"minor_faults\":5,\"major_faults\":0,"
                                   "\"segfaults\":1,\"evictions\":3,\"swap_ins\":0,"
                                   "\"swap_outs\":3,\"zero_fills\":5,\"cow_copies\":0,"
                                   "\"writebacks\":0,\"table_allocs\":3,\"tlb_flushes\":0,"
                                   "\"oom_kills\":0}\n");
            free(text);
        }
        timeline_destroy(tl);
    }
    scenario_free(s);
}

static void test_json_string(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (out == NULL)
        return;
    json_string(out, "a\"b\\c\nd\te\rf\001g\037h \xc3\xa9/");
    fputc(' ', out);
    json_string(out, "");
    fputc(' ', out);
    json_string(out, NULL);
    fputc(' ', out);
    /* Every control character: ESC, BEL, BS, FF, DEL, the C1 range
     * (U+0080, CSI U+009B, U+009F), and a byte that is not UTF-8. */
    json_string(out, "\033[2J\a\b\f\177|\xc2\x80\xc2\x9b\xc2\x9f|\x9b|\xc2\xa0");
    fclose(out);
    CU_ASSERT_STRING_EQUAL(text,
                           "\"a\\\"b\\\\c\\nd\\te\\rf\\u0001g\\u001fh \xc3\xa9/\" \"\" \"\" "
                           "\"\\u001b[2J\\u0007\\b\\f\\u007f|\\u0080\\u009b\\u009f|\\ufffd|"
                           "\xc2\xa0\"");
    free(text);
}

/* Scenario text that tries to drive the terminal (clear the screen,
 * retitle the window, a C1 CSI, a line break that would forge a line)
 * reaches the output escaped, in text and in JSON alike. */
static void test_hostile_text(void)
{
    static const char yaml[] =
        "title: hostile\n"
        "machine: {preset: tiny, frames: 4, table_frames: 2}\n"
        "processes:\n"
        "  - name: \"p\\e[31m\"\n"
        "    pid: 1\n"
        "    areas: [{name: buf, start: 0x400, size: 0x100}]\n"
        "steps:\n"
        "  - chapter: \"\\e]0;pwned\\a\"\n"
        "  - say: \"\\e[2J\\x9b1mred\\nforged line\\x7f\"\n"
        "  - read: buf\n";
    struct diag d;
    struct scenario *s = scenario_load_string("hostile.yaml", yaml, strlen(yaml), &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    for (int format = 0; format < 2; format++) {
        struct output o;
        CU_ASSERT_FATAL(play_report(s, format ? REPORT_JSON : REPORT_TEXT, TL_UNIT_EVENT, false,
                                    &o));
        char *text = o.text;
        size_t len = o.len, events = o.events;
        /* Not one control byte but the newline ending each line, and no C1
         * character (U+0080..U+009F is C2 80..C2 9F in UTF-8). */
        size_t controls = 0, newlines = 0;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)text[i];
            newlines += c == '\n';
            controls += (c < 0x20 && c != '\n') || c == 0x7f
                        || (c == 0xc2 && i + 1 < len && (unsigned char)text[i + 1] < 0xa0);
        }
        CU_ASSERT_EQUAL(controls, 0);
        CU_ASSERT_EQUAL(newlines, events);   /* one line per event, none forged */
        if (format == 0) {
            CU_ASSERT_PTR_NOT_NULL(strstr(text, "Chapter: \\e]0;pwned\\a\n"));
            CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n\\e[2J\\u009b1mred\\nforged line\\x7f\n"));
        } else {
            CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"text\":\"\\u001b]0;pwned\\u0007\""));
            CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"text\":\"\\u001b[2J\\u009b1mred\\nforged "
                                                "line\\u007f\""));
        }
        free(text);
    }
    scenario_free(s);
}

/* The viewer draws the same scenario text in the same visible form: no
 * control character reaches a cell of the screen. */
static void test_viewer_escapes(void)
{
    struct app *a = test_app_open("corpus/say-escapes.yaml", 120, 40);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    /* The chapter, then the say: both in the log and the narration. */
    CU_ASSERT_PTR_NOT_NULL(timeline_next(a->tl));
    CU_ASSERT_PTR_NOT_NULL(timeline_next(a->tl));
    app_draw(a);
    enum { SCREEN = 40 * 121 * 4 + 1 };
    char *screen = malloc(SCREEN);
    CU_ASSERT_PTR_NOT_NULL_FATAL(screen);
    term_dump(screen, SCREEN);
    size_t controls = 0;
    for (const unsigned char *p = (const unsigned char *)screen; *p; p++)
        controls += (*p < 0x20 && *p != '\n') || *p == 0x7f || (p[0] == 0xc2 && p[1] < 0xa0);
    CU_ASSERT_EQUAL(controls, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(screen, "== chapter: \\e]0;pwned\\a =="));
    CU_ASSERT_PTR_NOT_NULL(strstr(screen, "say \"\\e[2J\\e[H\\u009b31mred\\nforged line\""));
    free(screen);
    test_app_close(a);
}

/* A relative expectation of a decrease is narrated with its own sign. */
/* A chapter that carries Linux's counts ends with a line setting them
 * beside the model's change over it, in text and JSON; the run's end ends
 * the last chapter; --stats' totals add the chapters'. */
static void test_linux_counts(void)
{
    static const char yaml[] =
        "title: t\nprocesses:\n  - name: p\n    pid: 1\n"
        "    areas: [{name: buf, start: 0x10000, size: 0x3000, prot: rw-}]\n"
        "steps:\n"
        "  - chapter: {name: first, linux_minor_faults: 3, linux_major_faults: 1}\n"
        "  - write: buf\n  - write: buf + 0x1000\n"
        "  - chapter: plain\n  - write: buf + 0x2000\n"
        "  - chapter: {name: last, linux_minor_faults: 0}\n  - read: buf\n";
    const char *const want[2] = {
        "Chapter first: Linux counted +3 minor and +1 major faults; the model +2 and +0\n"
        "Chapter last: Linux counted +0 minor and +0 major faults; the model +0 and +0\n",
        "{\"event\":\"linux_counts\",\"chapter\":\"first\",\"linux_minor_faults\":3,"
        "\"linux_major_faults\":1,\"minor_faults\":2,\"major_faults\":0}\n"
        "{\"event\":\"linux_counts\",\"chapter\":\"last\",\"linux_minor_faults\":0,"
        "\"linux_major_faults\":0,\"minor_faults\":0,\"major_faults\":0}\n"};
    for (int json = 0; json < 2; json++) {
        struct diag d;
        struct scenario *s = scenario_load_string("l.yaml", yaml, strlen(yaml), &d);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        struct output o;
        CU_ASSERT_FATAL(play_report(s, json ? REPORT_JSON : REPORT_TEXT, TL_UNIT_OP, true, &o));
        char *text = o.text;
        /* The comparisons and the totals, among the operations' lines. */
        char kept[1024] = "";
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
            if (strstr(line, "Linux counted") || strstr(line, "linux_counts") ||
                strncmp(line, "linux_", 6) == 0 || strncmp(line, "{\"linux_", 8) == 0) {
                strncat(kept, line, sizeof kept - strlen(kept) - 2);
                strcat(kept, "\n");
            }
        char expected[1024];
        snprintf(expected, sizeof expected, "%s%s", want[json],
                 json ? "{\"linux_minor_faults\":3,\"linux_major_faults\":1}\n"
                      : "linux_minor   3\nlinux_major   1\n");
        CU_ASSERT_STRING_EQUAL(kept, expected);
        free(text);
        scenario_free(s);
    }
}

static void test_negative_expectation(void)
{
    static const char yaml[] = "title: negative\n"
                               "machine: {preset: tiny, frames: 4, table_frames: 4}\n"
                               "processes: [{name: p, pid: 1}]\n"
                               "steps:\n"
                               "  - refs: \"1 2\"\n"
                               "  - expect: {faults: -1, accesses: +2}\n";
    struct diag d;
    struct scenario *s = scenario_load_string("negative.yaml", yaml, strlen(yaml), &d);
    CU_ASSERT_PTR_NOT_NULL(s);
    struct timeline *tl = s ? timeline_create(s, NULL, &d) : NULL;
    CU_ASSERT_PTR_NOT_NULL(tl);
    if (tl) {
        CU_ASSERT_TRUE(timeline_run_until(tl, TL_STOP_FAILED));
        const struct tl_event *e = timeline_current(tl);
        CU_ASSERT_TRUE(e && e->kind == TL_EXPECT && e->nchecks == 2);
        if (e) {
            char buf[256];
            narrate(e, timeline_machine(tl), buf, sizeof buf);
            CU_ASSERT_STRING_EQUAL(buf, "Expect: faults +2 FAILED, expected -1; accesses +2 ok.");
        }
        timeline_destroy(tl);
    }
    scenario_free(s);
}

/* A step that names an area of a process the OOM killer ended part-way
 * through it: the rest is skipped as any step of an ended process is
 * (process_gone), not reported as an area that is missing. */
static void test_step_of_ended_process(void)
{
    static const char yaml[] = "title: ended\n"
                               "machine: {preset: x86_64, frames: 16, swap: 0}\n"
                               "processes:\n"
                               "  - {name: service, pid: 1, areas: [{name: state, start: 0x10000000, "
                               "size: 0x2000, prot: rw-}]}\n"
                               "  - {name: hog, pid: 2, areas: [{name: heap, start: 0x20000000, "
                               "size: 0x40000, prot: rw-}]}\n"
                               "steps:\n"
                               "  - fill: {start: state, size: 0x2000, access: write}\n"
                               "  - switch: 2\n"
                               "  - fill: {start: heap, size: 0x40000, access: write}\n"
                               "  - switch: 1\n"
                               "  - mmap: {name: extra, size: 0x1000}\n"
                               "  - munmap: {name: extra}\n"
                               "  - read: extra\n";
    struct diag d;
    struct scenario *s = scenario_load_string("ended.yaml", yaml, strlen(yaml), &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct output o;
    CU_ASSERT_FATAL(play_report(s, REPORT_TEXT, TL_UNIT_EVENT, false, &o));
    char *lines[4096];
    size_t n = split_lines(o.text, lines, 4096);
    size_t kill = n, ended = n, missing = n;
    for (size_t i = 0; i < n; i++) {
        if (kill == n && strstr(lines[i], "The OOM killer kills") != NULL)
            kill = i;
        if (strcmp(lines[i], "Skipped: pid 2 was killed by the OOM killer.") == 0)
            ended = i;
        if (strcmp(lines[i], "The step cannot run: no area named 'extra' is mapped.") == 0)
            missing = i;
    }
    /* The hog (pid 2) has the highest badness score when the 16 frames run
     * out; its fill's next page is the step skipped. */
    CU_ASSERT_TRUE(kill < n && strstr(lines[kill], "pid 2 (hog)") != NULL);
    CU_ASSERT_EQUAL(ended, kill + 1);
    /* A process still running names a missing area as before. */
    CU_ASSERT_TRUE(missing < n && missing > ended);
    CU_ASSERT_EQUAL(o.final.oom_kills, 1);
    free(o.text);
    /* In JSON it is the engine's own event for a step of an ended process. */
    CU_ASSERT_FATAL(play_report(s, REPORT_JSON, TL_UNIT_EVENT, false, &o));
    CU_ASSERT_PTR_NOT_NULL(strstr(o.text, "\"event\":\"process_gone\",\"pid\":2,"
                                          "\"detail\":\"pid 2 was killed by the OOM killer\""));
    CU_ASSERT_PTR_NULL(strstr(o.text, "\"detail\":\"no area named 'heap' is mapped\""));
    free(o.text);
    scenario_free(s);
}

void suite_report_register(void)
{
    CU_pSuite suite = CU_add_suite("report", NULL, NULL);
    if (suite == NULL)
        return;
    CU_add_test(suite, "the test's JSON parser", test_json_parser);
    CU_add_test(suite, "text, one sentence per event", test_text_events);
    CU_add_test(suite, "JSON lines, one object per event", test_json_events);
    CU_add_test(suite, "access level", test_access_level);
    CU_add_test(suite, "operation level", test_op_level);
    CU_add_test(suite, "stats as text and JSON", test_stats);
    CU_add_test(suite, "JSON string escapes", test_json_string);
    CU_add_test(suite, "scenario text cannot drive the terminal", test_hostile_text);
    CU_add_test(suite, "the viewer shows scenario text escaped too", test_viewer_escapes);
    CU_add_test(suite, "narration of a negative expectation", test_negative_expectation);
    CU_add_test(suite, "Linux's counts beside the model's at each chapter's end", test_linux_counts);
    CU_add_test(suite, "a step of a process that has ended", test_step_of_ended_process);
}
