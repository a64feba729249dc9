/* The screen never lies. Every scenario of the library is played headless
 * at 80x24, 120x40 and 200x60; at many steps (the first few hundred, every
 * page fault and every eviction, the first occurrences of every other kind
 * of event, and a spread of the rest) the screen is read back from curses'
 * own buffers and every number on it is parsed and compared with the
 * machine: the TLB's entries, the frames' labels, the walk's entries and
 * frames, the addresses, the processes' areas and counts, swap slots,
 * counters and the status line. The expected values are computed here from
 * the machine's own structures, not by the views' code. A cut number does
 * not parse, so it fails as surely as a wrong one; the draw layer's count
 * of clipped text must also be zero. */
#include <CUnit/CUnit.h>
#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play/narrate.h"
#include "tui/app.h"
#include "tui/term.h"
#include "tui/theme.h"
#include "tui_helpers.h"
#include "vm/pte.h"

#define MAX_ROWS 64
#define MAX_COLS 256

/* ------------------------------------------------------------------ */
/* the screen, as text                                                  */

struct screen {
    int rows, cols;
    char line[MAX_ROWS][MAX_COLS + 1];
};

static void screen_read(struct screen *sc, int cols, int rows)
{
    static char buf[MAX_ROWS * (MAX_COLS * 4 + 1) + 1];
    term_dump(buf, sizeof buf);
    sc->rows = rows;
    sc->cols = cols;
    const unsigned char *p = (const unsigned char *)buf;
    for (int y = 0; y < rows; y++) {
        int x = 0;
        while (*p && *p != '\n') {
            /* One cell a character; anything beyond ASCII reads as '?'. */
            unsigned char c = *p++;
            if (c >= 0x80)
                while ((*p & 0xc0) == 0x80)
                    p++;
            if (x < MAX_COLS)
                sc->line[y][x++] = c >= 0x80 ? '?' : (char)c;
        }
        if (*p == '\n')
            p++;
        sc->line[y][x] = '\0';
    }
}

/* Row i of a rect's content (below its title row), trailing blanks
 * dropped, into out[MAX_COLS + 1]. false past the rect. */
static bool panel_row(const struct screen *sc, struct rect r, int i, char *out)
{
    int y = r.y + 1 + i;
    if (i < 0 || y >= r.y + r.h || y >= sc->rows)
        return false;
    const char *l = sc->line[y];
    int len = (int)strlen(l);
    int n = 0;
    for (int x = r.x; x < r.x + r.w && x < len; x++)
        out[n++] = l[x];
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    return true;
}

/* The title row of a rect. */
static void panel_title_row(const struct screen *sc, struct rect r, char *out)
{
    const char *l = sc->line[r.y];
    int len = (int)strlen(l), n = 0;
    for (int x = r.x; x < r.x + r.w && x < len; x++)
        out[n++] = l[x];
    out[n] = '\0';
}

/* ------------------------------------------------------------------ */
/* failures                                                             */

static struct {
    const char *scenario;
    int cols, rows;
    uint64_t position;
    const struct screen *sc;
    unsigned printed;
    unsigned failures;
} ctx;

#define MAX_PRINTED 12

/* Records a mismatch, with where it was and the screen the first time. */
static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
    ctx.failures++;
    if (ctx.printed++ >= MAX_PRINTED)
        return;
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s at %dx%d, step %" PRIu64 ": %s", ctx.scenario, ctx.cols, ctx.rows,
            ctx.position, msg);
    if (ctx.printed == 1 && ctx.sc) {
        fprintf(stderr, "\n");
        for (int y = 0; y < ctx.sc->rows; y++)
            fprintf(stderr, "|%s\n", ctx.sc->line[y]);
    }
}

/* ------------------------------------------------------------------ */
/* reading numbers                                                      */

struct cur {
    const char *p;
};

static void skip_blanks(struct cur *c)
{
    while (*c->p == ' ')
        c->p++;
}

static bool lit(struct cur *c, const char *s)
{
    size_t n = strlen(s);
    if (strncmp(c->p, s, n) != 0)
        return false;
    c->p += n;
    return true;
}

static bool dec(struct cur *c, uint64_t *v)
{
    if (!isdigit((unsigned char)*c->p))
        return false;
    uint64_t x = 0;
    while (isdigit((unsigned char)*c->p))
        x = x * 10 + (uint64_t)(*c->p++ - '0');
    *v = x;
    return true;
}

static bool hex(struct cur *c, uint64_t *v)
{
    const char *s = c->p;
    uint64_t x = 0;
    while (isxdigit((unsigned char)*s) && !isupper((unsigned char)*s)) {
        x = x * 16 + (uint64_t)(isdigit((unsigned char)*s) ? *s - '0' : *s - 'a' + 10);
        s++;
    }
    if (s == c->p)
        return false;
    c->p = s;
    *v = x;
    return true;
}

/* "0x" then hex digits. */
static bool hex0x(struct cur *c, uint64_t *v)
{
    const char *save = c->p;
    if (lit(c, "0x") && hex(c, v))
        return true;
    c->p = save;
    return false;
}

/* True when the number ends where a word ends (not cut into another). */
static bool word_end(const struct cur *c)
{
    return *c->p == '\0' || *c->p == ' ' || *c->p == ')' || *c->p == ',' || *c->p == ';' ||
           *c->p == '*' || *c->p == ':';
}

/* ------------------------------------------------------------------ */
/* the machine, as the test reads it                                    */

static const struct process *proc_of(const struct machine *m, uint32_t pid)
{
    for (uint32_t i = 0; i < m->nprocs; i++)
        if (m->procs[i].pid == pid)
            return &m->procs[i];
    return NULL;
}

/* The access the screen is about: the newest ACCESS_BEGIN in the log, and
 * the events of its operation that followed. */
struct seen_access {
    bool present, in_progress, done;
    uint32_t pid;
    uint64_t va;
    enum access_kind kind;
    uint64_t pa;
    uint32_t frame;
    bool huge;          /* a huge page translated it, as its events show */
    bool gp;            /* a general-protection fault stopped it before any lookup */
    bool kernel;        /* made in kernel mode */
    int64_t sets[2];    /* the sets its last TLB event looked in, -1 for none */
};

static struct seen_access access_in_log(const struct timeline *tl, const struct machine *m)
{
    struct seen_access a = {.sets = {-1, -1}};
    const struct tl_event *log[TIMELINE_LOG_SIZE];
    size_t n = timeline_log(tl, log, TIMELINE_LOG_SIZE);
    size_t begin = n;
    for (size_t i = 0; i < n; i++)
        if (log[i]->kind == TL_MACHINE && log[i]->ev.kind == EV_ACCESS_BEGIN) {
            begin = i;
            break;
        }
    if (begin == n)
        return a;
    a.present = true;
    a.pid = log[begin]->ev.pid;
    a.va = log[begin]->ev.va;
    a.kind = log[begin]->ev.access;
    a.kernel = log[begin]->ev.kernel;
    uint64_t seq = log[begin]->op_seq;
    a.in_progress = machine_in_access(m) && n && log[0]->op_seq == seq;
    for (size_t k = begin + 1; k-- > 0;) {
        const struct event *ev = &log[k]->ev;
        if (log[k]->kind != TL_MACHINE || log[k]->op_seq != seq)
            continue;
        if (ev->kind == EV_GP_FAULT)
            a.gp = true;
        if (ev->kind == EV_ACCESS_DONE) {
            a.done = true;
            a.pa = ev->pa;
            a.frame = ev->frame;
        }
        if ((ev->kind == EV_WALK_STEP || ev->kind == EV_PTE_UPDATE) && pte_present(ev->entry) &&
            (ev->entry & PTE_HUGE))
            a.huge = true;
        if (ev->kind == EV_TLB_MISS) {
            a.sets[0] = ev->index;
            a.sets[1] = ev->huge_set == EV_NONE ? -1 : (int64_t)ev->huge_set;
        }
        if (ev->kind == EV_TLB_HIT || ev->kind == EV_TLB_FILL) {
            a.sets[0] = ev->index;
            a.sets[1] = -1;
        }
        if (ev->kind == EV_TLB_HIT) {
            const struct tlb_entry *t = &m->tlb.entries[ev->index * m->tlb.ways + ev->way];
            if (t->valid && t->span_shift > m->cfg.geo.page_shift)
                a.huge = true;
        }
    }
    return a;
}

/* The page a frame's content is, as "heap+0x3" (page 3 of area heap). */
static void page_name(const struct machine *m, uint32_t pid, uint64_t vpn, char *buf, size_t len)
{
    const struct process *p = proc_of(m, pid);
    unsigned shift = m->cfg.geo.page_shift;
    for (uint32_t i = 0; p && i < p->nareas; i++) {
        const struct area *a = &p->areas[i];
        if ((vpn << shift) >= a->start && (vpn << shift) < a->end && a->name[0]) {
            snprintf(buf, len, "%s+0x%" PRIx64, a->name, vpn - (a->start >> shift));
            return;
        }
    }
    snprintf(buf, len, "0x%" PRIx64, vpn);
}

static uint32_t head_of(const struct machine *m, uint32_t f)
{
    uint32_t h = f;
    while (h > 0 && frames_at(&m->pool, h)->compound == FRAME_TAIL)
        h--;
    return frames_at(&m->pool, h)->compound == FRAME_HEAD ? h : f;
}

static bool frame_dirty(const struct machine *m, uint32_t f)
{
    return frames_at(&m->pool, f)->kind != FRAME_FREE && machine_frame_dirty(m, head_of(m, f));
}

static uint32_t distinct_pids(const struct frame *fr)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < fr->nmaps; i++) {
        bool dup = false;
        for (uint32_t j = 0; j < i; j++)
            dup |= fr->maps[j].pid == fr->maps[i].pid;
        n += !dup;
    }
    return n;
}

/* What frame f holds, as the legend of vmviz(1) defines the glyphs. */
static char expected_glyph(const struct machine *m, uint32_t f)
{
    const struct frame *fr = frames_at(&m->pool, f);
    const struct frame *head = frames_at(&m->pool, head_of(m, f));
    if (fr->kind != FRAME_FREE && fr->kind != FRAME_ZERO && fr->nmaps == 0 &&
        fr->owner_pid == EV_NONE && fr->object == EV_NONE)
        return '+';
    switch ((enum frame_kind)fr->kind) {
    case FRAME_FREE: return f >= m->pool.data_frames ? '-' : '.';
    case FRAME_TABLE: return 'T';
    case FRAME_ZERO: return 'Z';
    case FRAME_FILE: return 'f';
    case FRAME_KERNEL: return 'K';
    case FRAME_ANON:
    case FRAME_KIND_COUNT: break;
    }
    if (fr->object != EV_NONE)
        return 'm';
    if (distinct_pids(head) >= 2)
        return 'S';
    uint32_t pid = head->nmaps ? head->maps[0].pid : fr->owner_pid;
    return pid < 10 ? (char)('0' + pid) : '#';
}

static void expected_label(const struct machine *m, uint32_t f, char *buf, size_t len)
{
    const struct frame *fr = frames_at(&m->pool, f);
    uint32_t h = head_of(m, f);
    const struct frame *head = frames_at(&m->pool, h);
    if (expected_glyph(m, f) == '+') {
        snprintf(buf, len, "taken");
        return;
    }
    switch ((enum frame_kind)fr->kind) {
    case FRAME_FREE:
        snprintf(buf, len, "%s", f >= m->pool.data_frames ? "reserved" : "free");
        return;
    case FRAME_ZERO: snprintf(buf, len, "%s", fr->compound ? "huge zero page" : "zero page"); return;
    case FRAME_TABLE:
        if (fr->owner_pid == 0)
            snprintf(buf, len, "k %s", m->cfg.geo.level_names[fr->table_level]);
        else
            snprintf(buf, len, "p%" PRIu32 " %s", fr->owner_pid,
                     m->cfg.geo.level_names[fr->table_level]);
        return;
    case FRAME_KERNEL:
        /* The kernel area whose page the frame backs, by its place. */
        for (uint32_t i = 0; i < m->nkernel_areas; i++) {
            const struct area *ka = &m->kernel_areas[i];
            uint64_t first = ka->start >> m->cfg.geo.page_shift;
            uint64_t last = (ka->end >> m->cfg.geo.page_shift) - 1;
            if (fr->object_page >= first && fr->object_page <= last) {
                snprintf(buf, len, "k %s+0x%" PRIx64, ka->name, fr->object_page - first);
                return;
            }
        }
        snprintf(buf, len, "k ?");
        return;
    default: break;
    }
    char count[16] = "";
    if (!fr->compound && fr->nmaps >= 2)
        snprintf(count, sizeof count, " x%" PRIu32, fr->nmaps);
    if (fr->object != EV_NONE) {
        snprintf(buf, len, "%s+0x%" PRIx64 "%s", m->objects[fr->object].name, fr->object_page,
                 count);
        return;
    }
    if (head->nmaps == 0) {
        if (fr->swap_slot != EV_NONE)
            snprintf(buf, len, "swap slot %" PRIu32, fr->swap_slot);
        else
            snprintf(buf, len, "p%" PRIu32 " unmapped", fr->owner_pid);
        return;
    }
    char page[80];
    page_name(m, head->maps[0].pid, head->maps[0].vpn + (f - h), page, sizeof page);
    snprintf(buf, len, "p%" PRIu32 " %s%s", head->maps[0].pid, page, count);
}

/* ------------------------------------------------------------------ */
/* the TLB panel                                                        */

static void tlb_flags(const struct machine *m, const struct tlb_entry *e, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s%s%s%s", e->writable ? "W" : "", e->dirty ? "D" : "",
             e->global ? "G" : "", e->nx ? "" : "X",
             e->span_shift > m->cfg.geo.page_shift ? "H" : "", e->user ? "" : "K");
}

/* Parses one cell at c and checks it against entry (set, way). */
static bool check_tlb_cell(const struct machine *m, struct cur *c, uint32_t set, uint32_t way)
{
    const struct tlb_entry *e = &m->tlb.entries[set * m->tlb.ways + way];
    if (lit(c, "-") && word_end(c)) {
        if (e->valid)
            fail("TLB set %u way %u shows empty, holds a valid entry", set, way);
        return true;
    }
    if (lit(c, "invalidated") || lit(c, "inv")) {
        if (e->valid)
            fail("TLB set %u way %u shows invalidated, is valid", set, way);
        return true;
    }
    uint64_t asid = 0, vpn, frame;
    bool has_asid = false;
    if (lit(c, "a")) {
        if (!dec(c, &asid) || !lit(c, " ")) {
            fail("TLB set %u way %u: a cut ASID at \"%s\"", set, way, c->p);
            return false;
        }
        has_asid = true;
    }
    if (!hex(c, &vpn) || !lit(c, ">") || !dec(c, &frame) || !word_end(c)) {
        fail("TLB set %u way %u: not an entry (cut?) at \"%s\"", set, way, c->p);
        return false;
    }
    char flags[8] = "";
    if (*c->p == ' ' && strchr("WDGXHK", c->p[1]) && c->p[1]) {
        c->p++;
        size_t n = 0;
        while (*c->p && strchr("WDGXHK", *c->p) && n + 1 < sizeof flags)
            flags[n++] = *c->p++;
        flags[n] = '\0';
        if (!word_end(c)) {
            fail("TLB set %u way %u: flags run into \"%s\"", set, way, c->p);
            return false;
        }
    }
    if (!e->valid) {
        fail("TLB set %u way %u shows %" PRIx64 ">%" PRIu64 " but is empty", set, way, vpn, frame);
        return true;
    }
    uint64_t want_vpn = e->vpn << (e->span_shift - m->cfg.geo.page_shift);
    if (vpn != want_vpn || frame != e->frame)
        fail("TLB set %u way %u shows %" PRIx64 ">%" PRIu64 ", holds %" PRIx64 ">%" PRIu32, set,
             way, vpn, frame, want_vpn, e->frame);
    if (has_asid && asid != e->asid)
        fail("TLB set %u way %u shows ASID %" PRIu64 ", holds %u", set, way, asid, e->asid);
    if (m->tlb.asid_tags && !has_asid && flags[0])
        fail("TLB set %u way %u: flags without the ASID", set, way);
    char want[8];
    tlb_flags(m, e, want, sizeof want);
    if (flags[0] && strcmp(flags, want) != 0)
        fail("TLB set %u way %u shows flags %s, has %s", set, way, flags, want);
    return true;
}

static void check_tlb(const struct app *a, const struct screen *sc, const struct seen_access *sa)
{
    const struct machine *m = timeline_machine(a->tl);
    const struct tlb *t = &m->tlb;
    struct rect r = a->panels[PANEL_TLB];
    if (r.h < 2)
        return;
    char title[MAX_COLS + 1], row[MAX_COLS + 1];
    panel_title_row(sc, r, title);
    /* The sets shown, as the title says. */
    uint64_t first = 0, last = t->sets - 1, of;
    const char *p = strstr(title, "set");
    bool windowed = p && (strstr(title, " shown"));
    if (windowed) {
        struct cur c = {p};
        if (lit(&c, "sets ") && dec(&c, &first) && lit(&c, "-") && dec(&c, &last) &&
            lit(&c, " of 0-") && dec(&c, &of)) {
        } else {
            c.p = p;
            if (lit(&c, "set ") && dec(&c, &first) && lit(&c, " of 0-") && dec(&c, &of))
                last = first;
            else
                fail("TLB title does not say which sets: \"%s\"", title);
        }
    }
    const char *e = strstr(title, " entries, ");
    if (e) {
        while (e > title && isdigit((unsigned char)e[-1]))
            e--;
        uint64_t entries, ways, sets;
        struct cur c = {e};
        if (!(dec(&c, &entries) && lit(&c, " entries, ") && dec(&c, &ways) && lit(&c, "-way")))
            fail("TLB title: \"%s\"", title);
        else if (entries != (uint64_t)t->sets * t->ways || ways != t->ways)
            fail("TLB title says %" PRIu64 " entries %" PRIu64 "-way, it has %u x %u", entries,
                 ways, t->sets, t->ways);
        if (lit(&c, ", ") && dec(&c, &sets) && sets != t->sets)
            fail("TLB title says %" PRIu64 " sets, it has %u", sets, t->sets);
    }
    int64_t set = -1;
    uint32_t way = 0;
    uint64_t sets_seen = 0;
    for (int i = 0; panel_row(sc, r, i, row); i++) {
        struct cur c = {row};
        skip_blanks(&c);
        if (!*c.p)
            continue;
        if (lit(&c, "key:") || strstr(row, " of ") == row + 1)
            break;
        c.p = row;
        if ((row[0] == '>' || row[0] == ' ') && strncmp(row + 1, "set ", 4) == 0) {
            uint64_t n;
            c.p = row + 5;
            if (!dec(&c, &n) || !word_end(&c)) {
                fail("TLB row \"%s\": a cut set number", row);
                return;
            }
            if (set >= 0 && way != t->ways)
                fail("TLB set %" PRId64 ": %u ways shown of %u", set, way, t->ways);
            set = (int64_t)n;
            way = 0;
            sets_seen++;
            if (n < first || n > last)
                fail("TLB set %" PRIu64 " is shown, the title says %" PRIu64 "-%" PRIu64, n,
                     first, last);
            bool searched = sa->present && ((int64_t)n == sa->sets[0] || (int64_t)n == sa->sets[1]);
            if ((row[0] == '>') != searched)
                fail("TLB set %" PRIu64 " %s marked as looked in (the access looked in %" PRId64
                     " and %" PRId64 ")",
                     n, row[0] == '>' ? "is" : "is not", sa->sets[0], sa->sets[1]);
            if (n >= t->sets) {
                fail("TLB set %" PRIu64 " does not exist", n);
                return;
            }
        } else if (set < 0) {
            fail("TLB row \"%s\" before any set", row);
            return;
        }
        for (;;) {
            skip_blanks(&c);
            if (!*c.p)
                break;
            if (way >= t->ways) {
                fail("TLB set %" PRId64 ": more cells than ways: \"%s\"", set, c.p);
                return;
            }
            if (!check_tlb_cell(m, &c, (uint32_t)set, way++))
                return;
        }
    }
    if (set >= 0 && way != t->ways)
        fail("TLB set %" PRId64 ": %u ways shown of %u", set, way, t->ways);
    if (sets_seen != last - first + 1 && sets_seen)
        fail("TLB shows %" PRIu64 " sets, the title says %" PRIu64 "-%" PRIu64, sets_seen, first,
             last);
    /* What the step is about is on screen. */
    const struct tl_event *cur = timeline_current(a->tl);
    if (sets_seen && cur && cur->kind == TL_MACHINE &&
        (cur->ev.kind == EV_TLB_HIT || cur->ev.kind == EV_TLB_FILL ||
         cur->ev.kind == EV_TLB_INVALIDATE || cur->ev.kind == EV_TLB_MISS) &&
        (cur->ev.index < first || cur->ev.index > last))
        fail("the TLB set of this step (%u) is not on screen (%" PRIu64 "-%" PRIu64 ")",
             cur->ev.index, first, last);
}

/* ------------------------------------------------------------------ */
/* the frames panel                                                     */

static void check_frame_cell(const struct machine *m, uint64_t f, char glyph, bool dirty)
{
    if (f >= frames_total(&m->pool)) {
        fail("frame %" PRIu64 " does not exist", f);
        return;
    }
    char want = expected_glyph(m, (uint32_t)f);
    if (glyph != want)
        fail("frame %" PRIu64 " shows '%c', holds '%c'", f, glyph, want);
    if (dirty != frame_dirty(m, (uint32_t)f))
        fail("frame %" PRIu64 " %s the dirty mark", f, dirty ? "has" : "lacks");
}

/* The policy's rows: each list's frames in order, "r" where Accessed is
 * set, "+N more" for exactly the rest. */
static void check_policy_rows(const struct machine *m, const char *text)
{
    uint32_t total = frames_total(&m->pool);
    uint32_t *order = malloc(sizeof *order * total);
    size_t first_len = 0;
    size_t n = machine_policy_order(m, order, total, &first_len);
    struct cur c = {text};
    skip_blanks(&c);
    const struct policy *p = &m->policy;
    if (!lit(&c, policy_name(p->ops->kind))) {
        fail("policy row does not start with the policy: \"%s\"", text);
        free(order);
        return;
    }
    uint64_t v;
    if (p->ops->kind == POLICY_clock) {
        skip_blanks(&c);
        if (!lit(&c, "hand->") || !dec(&c, &v) || v != p->hand)
            fail("clock hand shown wrong in \"%s\" (hand at %u)", text, p->hand);
    }
    for (int list = 0; list < 2 && p->ops->list_names[list]; list++) {
        size_t from = list ? first_len : 0, to = list ? n : first_len;
        skip_blanks(&c);
        if (!*c.p)
            break; /* the rows ended: a list left out whole is not a lie */
        if (!lit(&c, p->ops->list_names[list]) || !lit(&c, ":")) {
            fail("policy list %s missing at \"%s\"", p->ops->list_names[list], c.p);
            break;
        }
        size_t i = from;
        skip_blanks(&c);
        if (lit(&c, "(none)")) {
            if (from != to)
                fail("policy list %s says none, holds %zu", p->ops->list_names[list], to - from);
            continue;
        }
        for (;;) {
            skip_blanks(&c);
            if (lit(&c, "+")) {
                if (!dec(&c, &v) || !lit(&c, " more") || v != to - i)
                    fail("policy list %s: \"+N more\" wrong (%zu left)", p->ops->list_names[list],
                         to - i);
                i = to;
                break;
            }
            if (!isdigit((unsigned char)*c.p))
                break;
            dec(&c, &v);
            bool ref = lit(&c, "r");
            if (!word_end(&c)) {
                fail("policy list: a cut item at \"%s\"", c.p);
                break;
            }
            if (i >= to || order[i] != v)
                fail("policy list %s item %zu shows %" PRIu64 ", is %u", p->ops->list_names[list],
                     i - from, v, i < to ? order[i] : 0);
            else if (ref != machine_frame_referenced(m, (uint32_t)v))
                fail("frame %" PRIu64 ": referenced mark wrong in the policy list", v);
            i++;
        }
        if (i != to && *c.p)
            fail("policy list %s stops after %zu of %zu", p->ops->list_names[list], i - from,
                 to - from);
    }
    free(order);
}

static void check_frames(const struct app *a, const struct screen *sc)
{
    const struct machine *m = timeline_machine(a->tl);
    struct rect r = a->panels[PANEL_FRAMES];
    if (r.h < 2)
        return;
    char row[MAX_COLS + 1], policy[4 * MAX_COLS] = "";
    bool *shown = calloc(frames_total(&m->pool), sizeof *shown);
    bool in_policy = false;
    for (int i = 0; panel_row(sc, r, i, row); i++) {
        struct cur c = {row};
        skip_blanks(&c);
        if (!*c.p)
            continue;
        if (in_policy || lit(&c, policy_name(m->policy.ops->kind))) {
            in_policy = true;
            strncat(policy, row, sizeof policy - strlen(policy) - 2);
            strcat(policy, " ");
            continue;
        }
        if (lit(&c, "key:"))
            continue;
        if (lit(&c, "beyond RAM: device ")) {
            /* A device's frames, after the pool's. */
            const struct device *d = NULL;
            for (uint32_t k = 0; k < m->ndevices && !d; k++)
                if (lit(&c, m->devices[k].name) && *c.p == ',')
                    d = &m->devices[k];
            uint64_t first, last;
            if (!d || !lit(&c, ", frames ") || !dec(&c, &first) || !lit(&c, "-") ||
                !dec(&c, &last) || first != d->first_frame ||
                last != (uint64_t)d->first_frame + d->pages - 1 || first < frames_total(&m->pool))
                fail("frames: device row \"%s\" disagrees with the machine", row);
            continue;
        }
        c.p = row;
        skip_blanks(&c);
        uint64_t f;
        if (!dec(&c, &f)) {
            fail("frames row \"%s\" does not start with a frame number", row);
            break;
        }
        if (*c.p == ':') {
            /* Numbered cells "12:S*". */
            c.p = row;
            for (;;) {
                skip_blanks(&c);
                if (!*c.p)
                    break;
                if (!dec(&c, &f) || !lit(&c, ":") || !*c.p) {
                    fail("frames: a cut cell at \"%s\"", c.p);
                    break;
                }
                char g = *c.p++;
                bool dirty = lit(&c, "*");
                if (!word_end(&c)) {
                    fail("frames: cell runs on at \"%s\"", c.p);
                    break;
                }
                check_frame_cell(m, f, g, dirty);
                if (f < frames_total(&m->pool))
                    shown[f] = true;
            }
        } else if (c.p[0] == ' ' && c.p[1] && c.p[1] != ' ' &&
                   (c.p[2] == ' ' || c.p[2] == '*' || !c.p[2])) {
            /* Glyph rows: "  0 T T 1*S*": the row's first frame, then two
             * columns a frame. */
            c.p++;
            for (uint64_t k = f; *c.p; k++) {
                char g = c.p[0];
                bool dirty = c.p[1] == '*';
                if (c.p[1] && c.p[1] != ' ' && c.p[1] != '*') {
                    fail("frames: glyph row out of step at \"%s\"", c.p);
                    break;
                }
                check_frame_cell(m, k, g, dirty);
                if (k < frames_total(&m->pool))
                    shown[k] = true;
                c.p += c.p[1] ? 2 : 1;
            }
        } else {
            /* Rich cells "12 p1 heap+0x3 x2*", two blanks apart. */
            c.p = row;
            for (;;) {
                skip_blanks(&c);
                if (!*c.p)
                    break;
                if (!dec(&c, &f) || !lit(&c, " ")) {
                    fail("frames: a cut rich cell at \"%s\"", c.p);
                    break;
                }
                const char *end = strstr(c.p, "  ");
                size_t len = end ? (size_t)(end - c.p) : strlen(c.p);
                char label[MAX_COLS + 1];
                memcpy(label, c.p, len);
                label[len] = '\0';
                c.p += len;
                bool dirty = len && label[len - 1] == '*';
                if (dirty)
                    label[len - 1] = '\0';
                if (f >= frames_total(&m->pool)) {
                    fail("frame %" PRIu64 " does not exist", f);
                    break;
                }
                char want[160];
                expected_label(m, (uint32_t)f, want, sizeof want);
                if (strcmp(label, want) != 0)
                    fail("frame %" PRIu64 " shows \"%s\", holds \"%s\"", f, label, want);
                if (dirty != frame_dirty(m, (uint32_t)f))
                    fail("frame %" PRIu64 " %s the dirty mark", f, dirty ? "has" : "lacks");
                shown[f] = true;
            }
        }
    }
    if (policy[0])
        check_policy_rows(m, policy);
    /* The frame the step is about is on screen. */
    const struct tl_event *cur = timeline_current(a->tl);
    if (cur && cur->kind == TL_MACHINE) {
        uint32_t focus = EV_NONE;
        switch (cur->ev.kind) {
        case EV_VICTIM_CHOSEN:
        case EV_SWAP_OUT:
        case EV_UNMAPPED: focus = cur->ev.victim; break;
        case EV_FRAME_ALLOC:
        case EV_ZERO_FILL:
        case EV_COW_COPY: focus = cur->ev.frame; break;
        default: break;
        }
        if (focus != EV_NONE && focus < frames_total(&m->pool) && !shown[focus])
            fail("frame %u, which this step is about, is not on screen", focus);
    }
    free(shown);
}

/* ------------------------------------------------------------------ */
/* the walk and the access                                              */

/* The process whose root CR3 holds: the access's while it runs, else the
 * running one. */
static const struct process *cr3_process(const struct machine *m, const struct seen_access *sa)
{
    if (sa->in_progress)
        return proc_of(m, sa->pid);
    /* The running process, or the one that ran last when it has ended:
     * the panel must then say its tables are gone. */
    return m->current < m->nprocs ? &m->procs[m->current] : NULL;
}

static uint64_t index_at(const struct geometry *g, uint64_t va, unsigned level)
{
    unsigned shift = g->page_shift;
    for (unsigned l = g->levels; l-- > level + 1;)
        shift += g->index_bits[l];
    return (va >> shift) & ((UINT64_C(1) << g->index_bits[level]) - 1);
}

/* Parses the entry bits "P W U A D NX" (dashes for clear) or "PWUADN". */
static bool parse_bits(struct cur *c, uint64_t *bits)
{
    static const struct {
        uint64_t bit;
        const char *name;
        char packed;
    } b[] = {{PTE_PRESENT, "P", 'P'},  {PTE_WRITABLE, "W", 'W'}, {PTE_USER, "U", 'U'},
             {PTE_ACCESSED, "A", 'A'}, {PTE_DIRTY, "D", 'D'},     {PTE_NX, "NX", 'N'}};
    *bits = 0;
    if (c->p[1] != ' ') {
        for (size_t i = 0; i < 6; i++) {
            if (c->p[i] == b[i].packed)
                *bits |= b[i].bit;
            else if (c->p[i] != '-')
                return false;
        }
        c->p += 6;
        return true;
    }
    for (size_t i = 0; i < 6; i++) {
        skip_blanks(c);
        if (lit(c, b[i].name))
            *bits |= b[i].bit;
        else if (!lit(c, strlen(b[i].name) == 2 ? "--" : "-"))
            return false;
    }
    return true;
}

static void check_walk(const struct app *a, const struct screen *sc, const struct seen_access *sa)
{
    const struct machine *m = timeline_machine(a->tl);
    const struct geometry *g = &m->cfg.geo;
    struct rect r = a->panels[PANEL_WALK];
    if (r.h < 2)
        return;
    char row[MAX_COLS + 1];
    const struct process *p = cr3_process(m, sa);
    panel_row(sc, r, 0, row);
    struct cur c = {row};
    uint64_t v, pid;
    if (p && !p->alive) {
        /* Its tables are freed: no frame may be named, no level shown. */
        if (!lit(&c, "CR3 -> none") || strstr(row, "frame"))
            fail("walk: pid %u has ended, but its CR3 row reads \"%s\"", p->pid, row);
        for (int i = 2; panel_row(sc, r, i, row); i++)
            if (row[0])
                fail("walk: pid %u has ended, but row %d reads \"%s\"", p->pid, i, row);
        return;
    }
    if (p) {
        if (!(lit(&c, "CR3 -> root table at frame ") || lit(&c, "CR3 -> f")) || !dec(&c, &v) ||
            !word_end(&c))
            fail("walk: CR3 row \"%s\"", row);
        else if (v != p->root)
            fail("walk: CR3 shows frame %" PRIu64 ", pid %u's root is %u", v, p->pid, p->root);
        if (lit(&c, " (pid ") && (!dec(&c, &pid) || pid != p->pid))
            fail("walk: CR3 row names the wrong pid: \"%s\"", row);
    }
    bool walk_shown = p && sa->present && sa->pid == p->pid;
    if (!walk_shown)
        return;
    uint32_t table = p->root;
    /* Nothing is read for a non-canonical VA: every level is "not reached". */
    bool reached = !sa->gp;
    uint64_t psize = geometry_page_size(g);
    for (int i = 1; panel_row(sc, r, i, row); i++) {
        c.p = row;
        if (strstr(row, "key:"))
            break;
        if (strncmp(row, "  PA", 4) == 0) {
            c.p = row + 4;
            uint64_t frame, pa, off;
            if (!sa->done) {
                fail("walk shows a PA before the access is done");
            } else if (lit(&c, " = frame ")) {
                if (!dec(&c, &frame) || !lit(&c, " x 0x") || !hex(&c, &v) || v != psize ||
                    !(lit(&c, " + offset 0x") || lit(&c, " + 0x")) || !hex(&c, &off))
                    fail("walk: PA row \"%s\"", row);
                else if (frame != sa->frame || frame * psize + off != sa->pa)
                    fail("walk: PA row \"%s\" says frame %" PRIu64 " + 0x%" PRIx64
                         ", the access reached 0x%" PRIx64,
                         row, frame, off, sa->pa);
                const char *eq = strstr(row, "= 0x");
                struct cur e = {eq ? eq + 2 : ""};
                if (!eq || !hex0x(&e, &pa) || pa != sa->pa)
                    fail("walk: PA row \"%s\": the PA is 0x%" PRIx64, row, sa->pa);
            } else if (lit(&c, " 0x")) {
                if (!hex(&c, &pa) || pa != sa->pa)
                    fail("walk: PA row \"%s\": the PA is 0x%" PRIx64, row, sa->pa);
            }
            continue;
        }
        if (strncmp(row, "  victim", 8) == 0) {
            const struct tl_event *cur = timeline_current(a->tl);
            const char *sl = strstr(row, "swap slot ");
            struct cur s2 = {sl ? sl + 10 : ""};
            if (!cur || cur->kind != TL_MACHINE || cur->ev.kind != EV_UNMAPPED)
                fail("walk: a victim row on a step that unmaps nothing");
            else if (sl && (!dec(&s2, &v) || v != pte_slot(cur->ev.entry) ||
                            !pte_is_swap(cur->ev.entry)))
                fail("walk: victim row \"%s\" (entry 0x%" PRIx64 ")", row, cur->ev.entry);
            continue;
        }
        if (!row[0] || strncmp(row, "  no translation", 16) == 0)
            continue;
        unsigned l = (unsigned)(i - 1);
        if (l >= g->levels) {
            fail("walk: an extra row \"%s\"", row);
            break;
        }
        c.p = row + 2;
        const char *name = g->level_names[l];
        if (!lit(&c, name)) {
            fail("walk row %u: \"%s\" does not name level %s", l, row, name);
            continue;
        }
        skip_blanks(&c);
        if (!reached) {
            if (!lit(&c, "(not reached)") && !lit(&c, "not used") && !lit(&c, "-"))
                fail("walk row %u: \"%s\" after the walk ended", l, row);
            continue;
        }
        uint64_t idx;
        if (!lit(&c, "[") || (skip_blanks(&c), !dec(&c, &idx)) || !lit(&c, "]")) {
            fail("walk row %u: a cut index in \"%s\"", l, row);
            continue;
        }
        if (idx != index_at(g, sa->va, l))
            fail("walk row %u shows index %" PRIu64 ", VA 0x%" PRIx64 " has %" PRIu64, l, idx, sa->va,
                 index_at(g, sa->va, l));
        const uint64_t *entries = pagetable_at(&m->pt, table);
        if (!entries) {
            fail("walk row %u: frame %u holds no table", l, table);
            return;
        }
        uint64_t e = entries[index_at(g, sa->va, l)];
        skip_blanks(&c);
        const char *save = c.p;
        uint64_t hexval;
        if (hex(&c, &hexval) && c.p - save == 16) {
            if (hexval != e)
                fail("walk row %u shows entry %016" PRIx64 ", holds %016" PRIx64, l, hexval, e);
            skip_blanks(&c);
        } else {
            c.p = save;
        }
        bool huge = pte_present(e) && (e & PTE_HUGE) && l + 1 < g->levels;
        bool leaf = l + 1 == g->levels || huge;
        if (!pte_present(e)) {
            uint64_t slot;
            if (pte_is_swap(e)) {
                const char *sl = strstr(c.p, "swap slot ");
                struct cur s2 = {sl ? sl + 10 : ""};
                if (!sl || !dec(&s2, &slot) || slot != pte_slot(e) || !word_end(&s2))
                    fail("walk row %u: \"%s\", the entry holds swap slot %u", l, row, pte_slot(e));
            } else if (pte_protnone(e)) {
                const char *fr = strstr(c.p, "frame ");
                struct cur s2 = {fr ? fr + 6 : ""};
                if (!lit(&c, "PROT_NONE") && !lit(&c, "not present: PROT_NONE"))
                    fail("walk row %u: \"%s\", the entry is PROT_NONE", l, row);
                else if (fr && (!dec(&s2, &slot) || slot != pte_frame(e)))
                    fail("walk row %u: \"%s\", the page is kept in frame %u", l, row,
                         pte_frame(e));
            } else if (!lit(&c, "not present")) {
                fail("walk row %u: \"%s\", the entry is not present", l, row);
            }
            reached = false;
            continue;
        }
        uint64_t bits;
        if (!parse_bits(&c, &bits)) {
            fail("walk row %u: bits unreadable in \"%s\"", l, row);
            continue;
        }
        uint64_t want = e & (PTE_PRESENT | PTE_WRITABLE | PTE_USER | PTE_ACCESSED | PTE_DIRTY |
                             PTE_NX);
        if (bits != want)
            fail("walk row %u: bits 0x%" PRIx64 " shown, entry has 0x%" PRIx64, l, bits, want);
        skip_blanks(&c);
        uint64_t frame, last;
        if (huge) {
            if (!(lit(&c, "-> huge page in frames ") || lit(&c, "-> huge f")) || !dec(&c, &frame) ||
                !lit(&c, "-") || !dec(&c, &last) || !word_end(&c))
                fail("walk row %u: \"%s\" for a huge page", l, row);
            else if (frame != pte_frame(e) ||
                     last != frame + (geometry_level_span(g, l) / psize) - 1)
                fail("walk row %u: \"%s\", the huge page is at frame %u", l, row, pte_frame(e));
        } else if (leaf) {
            if (!(lit(&c, "-> page in frame ") || lit(&c, "-> page f")) || !dec(&c, &frame) ||
                !word_end(&c))
                fail("walk row %u: \"%s\" for a page", l, row);
            else if (frame != pte_frame(e))
                fail("walk row %u shows page frame %" PRIu64 ", entry has %u", l, frame,
                     pte_frame(e));
            /* A global page says so, a device's names its device; no
             * other does either. */
            const struct device *dev = pte_special(e) ? machine_device_at(m, pte_frame(e)) : NULL;
            bool says_device = false;
            if (lit(&c, ", device ")) {
                says_device = true;
                if (!dev || !lit(&c, dev->name) || !word_end(&c))
                    fail("walk row %u: \"%s\" names the wrong device", l, row);
            } else if (lit(&c, " dev")) {
                says_device = true;
            }
            if (says_device != (dev != NULL))
                fail("walk row %u: \"%s\", the entry is %sa device's", l, row,
                     dev ? "" : "not ");
            bool says_global = lit(&c, ", global") || lit(&c, " G");
            if (says_global != ((e & PTE_GLOBAL) != 0))
                fail("walk row %u: \"%s\", the entry is %sglobal", l, row,
                     (e & PTE_GLOBAL) ? "" : "not ");
        } else {
            if (!(lit(&c, "-> table at frame ") || lit(&c, "-> table f")) || !dec(&c, &frame) ||
                !word_end(&c))
                fail("walk row %u: \"%s\" for a table", l, row);
            else if (frame != pte_frame(e))
                fail("walk row %u shows table frame %" PRIu64 ", entry has %u", l, frame,
                     pte_frame(e));
        }
        table = pte_frame(e);
        if (leaf)
            reached = false;
    }
}

static void check_access(const struct app *a, const struct screen *sc, const struct seen_access *sa)
{
    const struct machine *m = timeline_machine(a->tl);
    const struct geometry *g = &m->cfg.geo;
    struct rect r = a->panels[PANEL_ACCESS];
    char row[MAX_COLS + 1];
    if (r.h < 2 || !sa->present)
        return;
    panel_row(sc, r, 0, row);
    const char *p = strstr(row, "VA 0x");
    uint64_t va, pa, pid;
    struct cur c = {row};
    if (!lit(&c, "pid ") || !dec(&c, &pid) || pid != sa->pid)
        fail("access: \"%s\" does not name pid %u", row, sa->pid);
    if ((strstr(row, " kernel read ") || strstr(row, " kernel write ") ||
         strstr(row, " kernel exec ")) != sa->kernel)
        fail("access: \"%s\", the access is %sin kernel mode", row, sa->kernel ? "" : "not ");
    c.p = p ? p + 3 : "";
    if (!p || !hex0x(&c, &va) || !word_end(&c) || va != sa->va)
        fail("access: \"%s\", the VA is 0x%" PRIx64, row, sa->va);
    p = strstr(row, "PA 0x");
    if (p) {
        c.p = p + 3;
        if (!sa->done || !hex0x(&c, &pa) || !word_end(&c) || pa != sa->pa)
            fail("access: \"%s\", the PA is %s0x%" PRIx64, row, sa->done ? "" : "not known ",
                 sa->pa);
    } else if (sa->done) {
        fail("access: the access is done but \"%s\" shows no PA", row);
    }
    /* The split: each index shown is the VA's, the offset is the rest. */
    for (int i = 1; panel_row(sc, r, i, row); i++) {
        c.p = row;
        if (!lit(&c, "idx") && !lit(&c, "split"))
            continue;
        unsigned levels = 0;
        for (;;) {
            skip_blanks(&c);
            if (!*c.p)
                break;
            if (lit(&c, "off ") || (c.p[0] == '0' && c.p[1] == 'x')) {
                uint64_t off;
                if (!hex0x(&c, &off)) {
                    fail("access: offset unreadable in \"%s\"", row);
                    break;
                }
                unsigned bits = g->page_shift;
                for (unsigned l = levels; l < g->levels; l++)
                    bits += g->index_bits[l];
                if (off != (sa->va & ((UINT64_C(1) << bits) - 1)))
                    fail("access: offset 0x%" PRIx64 " shown for VA 0x%" PRIx64, off, sa->va);
                if (levels < g->levels && !sa->huge)
                    fail("access: %u indices shown, but no huge page maps 0x%" PRIx64, levels,
                         sa->va);
                break;
            }
            uint64_t idx;
            if (levels >= g->levels || !lit(&c, g->level_names[levels]) || !lit(&c, " ") ||
                !dec(&c, &idx)) {
                /* Narrow fields show the number alone. */
                if (levels < g->levels && dec(&c, &idx)) {
                } else {
                    fail("access: index of %s unreadable in \"%s\"",
                         levels < g->levels ? g->level_names[levels] : "?", row);
                    break;
                }
            }
            if (idx != index_at(g, sa->va, levels))
                fail("access: %s index %" PRIu64 " shown, the VA has %" PRIu64,
                     g->level_names[levels], idx, index_at(g, sa->va, levels));
            levels++;
        }
    }
}

/* ------------------------------------------------------------------ */
/* counters, processes, swap, status                                    */

/* The row comparing Linux's count for the chapter with the model's:
 * "Linux counted +N minor faults in this chapter; the model +M so far" or
 * a shorter form. N is the chapter step's, M the machine's change since
 * the chapter began. */
static void check_linux_row(const struct app *a, const char *row)
{
    const struct machine *m = timeline_machine(a->tl);
    const struct scenario *sc = timeline_scenario(a->tl);
    const struct scenario_step *st =
        scenario_chapter_step(sc->steps, sc->step_count, timeline_chapter(a->tl));
    const struct counters *base = timeline_chapter_start(a->tl);
    struct cur c = {row};
    uint64_t linux_minor, model;
    lit(&c, "Linux ");
    lit(&c, "counted ");
    const char *model_at = strstr(row, "model +");
    struct cur d = {model_at ? model_at + 7 : ""};
    if (!lit(&c, "+") || !dec(&c, &linux_minor) || !lit(&c, " minor") || !model_at ||
        !dec(&d, &model)) {
        fail("counters: Linux row unreadable: \"%s\"", row);
        return;
    }
    if (!st || !st->u.text.linux_minor.present || !base) {
        fail("counters: a Linux row in a chapter without Linux counts: \"%s\"", row);
        return;
    }
    if (linux_minor != st->u.text.linux_minor.value)
        fail("counters: Linux +%" PRIu64 " shown, the chapter says %" PRIu64, linux_minor,
             st->u.text.linux_minor.value);
    if (model != m->counters.minor_faults - base->minor_faults)
        fail("counters: the model's +%" PRIu64 " shown, is +%" PRIu64, model,
             m->counters.minor_faults - base->minor_faults);
}

static void check_counters(const struct app *a, const struct screen *sc)
{
    const struct machine *m = timeline_machine(a->tl);
    const struct counters *c0 = &m->counters;
    const struct counters *base = timeline_chapter_start(a->tl);
    struct rect r = a->panels[PANEL_COUNTERS];
    if (r.h < 2)
        return;
    static const struct {
        const char *label, *short_label;
        enum counter_id id;
    } names[] = {
        {"accesses", "acc", COUNTER_accesses},         {"minor faults", "minor", COUNTER_minor_faults},
        {"major faults", "major", COUNTER_major_faults}, {"TLB hits", "hit", COUNTER_tlb_hits},
        {"TLB misses", "miss", COUNTER_tlb_misses},     {"evictions", "evict", COUNTER_evictions},
        {"swap in", "swapin", COUNTER_swap_ins},        {"swap out", "swapout", COUNTER_swap_outs},
        {"SIGSEGV", "segv", COUNTER_segfaults},
    };
    bool seen[sizeof names / sizeof names[0]] = {false};
    bool rate_seen = false;
    char row[MAX_COLS + 1];
    for (int i = 0; panel_row(sc, r, i, row); i++) {
        struct cur c = {row};
        if (strncmp(row, "Linux ", 6) == 0) {
            check_linux_row(a, row);
            continue;
        }
        for (;;) {
            skip_blanks(&c);
            if (!*c.p)
                break;
            const char *item = c.p;
            size_t k;
            for (k = 0; k < sizeof names / sizeof names[0]; k++) {
                if ((lit(&c, names[k].label) || lit(&c, names[k].short_label)) && *c.p == ' ')
                    break;
                c.p = item;
            }
            if (k == sizeof names / sizeof names[0] && (lit(&c, "TLB hit rate") || lit(&c, "TLB "))) {
                skip_blanks(&c);
                uint64_t whole, tenth;
                uint64_t lookups = c0->tlb_hits + c0->tlb_misses;
                rate_seen = true;
                if (lit(&c, "-")) {
                    if (lookups)
                        fail("counters: no hit rate shown with %" PRIu64 " lookups", lookups);
                } else if (!dec(&c, &whole) || !lit(&c, ".") || !dec(&c, &tenth) || !lit(&c, "%")) {
                    fail("counters: hit rate unreadable in \"%s\"", row);
                    break;
                } else if (!lookups || whole * 10 + tenth != c0->tlb_hits * 1000 / lookups) {
                    fail("counters: hit rate %" PRIu64 ".%" PRIu64 "%% shown", whole, tenth);
                }
                continue;
            }
            if (k == sizeof names / sizeof names[0]) {
                fail("counters: unknown item at \"%s\"", c.p);
                break;
            }
            skip_blanks(&c);
            uint64_t v, d = 0;
            if (!dec(&c, &v)) {
                fail("counters: %s has no value in \"%s\"", names[k].label, row);
                break;
            }
            bool has_delta = false;
            if (lit(&c, " +") || lit(&c, "+")) {
                has_delta = true;
                if (!dec(&c, &d)) {
                    fail("counters: a cut change in \"%s\"", row);
                    break;
                }
            }
            if (!word_end(&c)) {
                fail("counters: %s runs on in \"%s\"", names[k].label, row);
                break;
            }
            seen[k] = true;
            uint64_t want = counter_get(c0, names[k].id);
            uint64_t want_d = want - (base ? counter_get(base, names[k].id) : 0);
            if (v != want)
                fail("counters: %s shows %" PRIu64 ", is %" PRIu64, names[k].label, v, want);
            if (has_delta && d != want_d)
                fail("counters: %s shows +%" PRIu64 ", changed by %" PRIu64, names[k].label, d,
                     want_d);
        }
    }
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (!seen[k])
            fail("counters: %s is not shown", names[k].label);
    if (!rate_seen)
        fail("counters: the TLB hit rate is not shown");
}

/* Resident and swapped pages of an area, counted from the frames' reverse
 * maps and the swap slots. */
static void area_counts(const struct machine *m, const struct process *p, const struct area *ar,
                        uint64_t *res, uint64_t *swp)
{
    unsigned shift = m->cfg.geo.page_shift;
    *res = *swp = 0;
    for (uint32_t f = 0; f < frames_total(&m->pool); f++) {
        const struct frame *fr = frames_at(&m->pool, f);
        if (fr->kind == FRAME_TABLE)
            continue;
        for (uint32_t k = 0; k < fr->nmaps; k++) {
            uint64_t va = fr->maps[k].vpn << shift;
            if (fr->maps[k].pid == p->pid && va >= ar->start && va < ar->end) {
                uint64_t n = 1;
                if (fr->compound == FRAME_HEAD)
                    for (uint32_t t = f + 1; t < frames_total(&m->pool) &&
                                             frames_at(&m->pool, t)->compound == FRAME_TAIL;
                         t++)
                        n++;
                *res += n;
            }
        }
    }
    /* In swap: an entry of this process naming a slot. Slots remember the
     * page they were taken for; fork keeps virtual addresses, so every
     * process sharing a slot names it at that same page. */
    for (uint32_t i = 0; i < m->swap.nslots; i++) {
        const struct swap_slot *sl = swap_at(&m->swap, i);
        uint64_t va = sl->vpn << shift;
        if (!sl->used || va < ar->start || va >= ar->end)
            continue;
        struct walk_result w = machine_walk(m, p, va);
        if (w.complete && pte_is_swap(*w.slot) && pte_slot(*w.slot) == i)
            (*swp)++;
    }
    /* Shared anonymous memory in swap: its object holds the slot. */
    if (ar->object != EV_NONE && m->objects[ar->object].anonymous) {
        uint64_t psize = UINT64_C(1) << shift;
        for (uint64_t va = ar->start; va < ar->end; va += psize)
            if (object_slot(&m->objects[ar->object], (va - ar->start + ar->file_offset) >> shift) !=
                EV_NONE)
                (*swp)++;
    }
}

static void check_processes(const struct app *a, const struct screen *sc)
{
    const struct machine *m = timeline_machine(a->tl);
    struct rect r = a->panels[PANEL_PROCESS];
    if (r.h < 2)
        return;
    char row[MAX_COLS + 1];
    const struct process *p = NULL;
    bool running_seen = false, kernel = false;
    for (int i = 0; panel_row(sc, r, i, row); i++) {
        struct cur c = {row + 1};
        uint64_t v, res, swp;
        if (lit(&c, "kernel")) {
            if (m->kernel_root == EV_NONE)
                fail("processes: a kernel line on a machine without a kernel half");
            kernel = true;
            uint64_t first, last;
            const char *ent = strstr(row, " entries ");
            struct cur d = {ent ? ent + 9 : ""};
            if (ent && (!dec(&d, &first) || !lit(&d, "-") || !dec(&d, &last) ||
                        first != geometry_kernel_root_index(&m->cfg.geo) ||
                        last != geometry_entries(&m->cfg.geo, 0) - 1))
                fail("processes: the kernel's root entries shown wrong in \"%s\"", row);
            continue;
        }
        if (kernel && row[0]) {
            /* A kernel area: "  >start-end r-xg name  N/N res" or shorter. */
            c.p = row;
            skip_blanks(&c);
            lit(&c, ">");
            uint64_t start = 0, end = 0, pages, resident;
            const char *save = c.p;
            bool addr = hex(&c, &start) && lit(&c, "-") && hex(&c, &end) && lit(&c, " ");
            if (!addr)
                c.p = save;
            char prot[4] = "";
            if (strchr("r-", c.p[0]) && strchr("w-", c.p[1]) && strchr("x-", c.p[2]) &&
                c.p[3] == 'g' && c.p[4] == ' ') {
                memcpy(prot, c.p, 3);
                c.p += 5;
            }
            char name[64] = "";
            size_t n = 0;
            while (*c.p && *c.p != ' ' && n + 1 < sizeof name)
                name[n++] = *c.p++;
            name[n] = '\0';
            const struct area *ka = NULL;
            for (uint32_t k = 0; k < m->nkernel_areas; k++)
                if (strcmp(m->kernel_areas[k].name, name) == 0)
                    ka = &m->kernel_areas[k];
            skip_blanks(&c);
            if (!ka || !dec(&c, &resident) || !lit(&c, "/") || !dec(&c, &pages) ||
                !lit(&c, " res")) {
                fail("processes: kernel area unreadable in \"%s\"", row);
                continue;
            }
            uint64_t want = (ka->end - ka->start) / geometry_page_size(&m->cfg.geo);
            char want_prot[4];
            prot_string(ka->prot, want_prot);
            if ((addr && (start != ka->start || end != ka->end)) || resident != want ||
                pages != want || (prot[0] && strcmp(prot, want_prot) != 0))
                fail("processes: kernel area %s shown wrong: \"%s\"", name, row);
            continue;
        }
        if (lit(&c, "pid ")) {
            if (!dec(&c, &v) || !word_end(&c) || !(p = proc_of(m, (uint32_t)v))) {
                fail("processes: \"%s\" names no process", row);
                return;
            }
            bool running = m->current < m->nprocs && &m->procs[m->current] == p && p->alive;
            if ((row[0] == '>') != running)
                fail("processes: pid %u marked %s", p->pid, running ? "idle" : "running");
            running_seen |= running;
            /* What ended a process, shown exactly: exit or the OOM killer. */
            bool says_exited = strstr(row, " exited") != NULL;
            bool says_killed = strstr(row, " killed (OOM)") != NULL;
            if (says_exited != (!p->alive && !p->oom_killed) || says_killed != p->oom_killed)
                fail("processes: pid %u's state shown wrong in \"%s\"", p->pid, row);
            const char *rs = strstr(row, "  res ");
            const char *rl = strstr(row, "  resident ");
            if (rs || rl) {
                struct cur d = {rs ? rs + 6 : rl + 11};
                if (!dec(&d, &res) || !(lit(&d, " swap ") || lit(&d, "  in swap ")) ||
                    !dec(&d, &swp) || !word_end(&d))
                    fail("processes: counts unreadable in \"%s\"", row);
                else if (res != p->resident || swp != p->swapped)
                    fail("processes: pid %u shows %" PRIu64 " resident %" PRIu64
                         " swapped, has %" PRIu64 " and %" PRIu64,
                         p->pid, res, swp, p->resident, p->swapped);
            }
            const char *cr = strstr(row, "CR3 frame ");
            struct cur d = {cr ? cr + 10 : ""};
            if (!cr && (cr = strstr(row, "CR3 f")))
                d.p = cr + 5;
            if (cr && !p->alive)   /* its root table is freed: no CR3 to show */
                fail("processes: pid %u has ended but shows a CR3 in \"%s\"", p->pid, row);
            else if (cr && (!dec(&d, &v) || v != p->root))
                fail("processes: pid %u's CR3 shown wrong in \"%s\"", p->pid, row);
            continue;
        }
        if (!row[0])
            continue;
        if (!p) {
            fail("processes: \"%s\" before any pid", row);
            return;
        }
        /* An area: "  >start-end rwxp name  R/T res S swap" or shorter. */
        c.p = row;
        skip_blanks(&c);
        lit(&c, ">");
        uint64_t start = 0, end = 0;
        const char *save = c.p;
        bool addr = hex(&c, &start) && lit(&c, "-") && hex(&c, &end) && lit(&c, " ");
        if (!addr)
            c.p = save;
        const struct area *ar = NULL;
        char name[64] = "";
        /* The protection, when shown, tells apart the pieces an mprotect
         * split one area into: they keep its name. */
        char shown_prot[4] = "";
        if (strchr("r-", c.p[0]) && strchr("w-", c.p[1]) && strchr("x-", c.p[2]) &&
            strchr("ps", c.p[3]) && c.p[4] == ' ') {
            memcpy(shown_prot, c.p, 3);
            c.p += 5;
        }
        size_t n = 0;
        while (*c.p && *c.p != ' ' && n + 1 < sizeof name)
            name[n++] = *c.p++;
        name[n] = '\0';
        for (uint32_t k = 0; k < p->nareas; k++) {
            char area_prot[4];
            prot_string(p->areas[k].prot, area_prot);
            if (strcmp(p->areas[k].name, name) == 0 &&
                (!addr || (p->areas[k].start == start && p->areas[k].end == end)) &&
                (!shown_prot[0] || strcmp(shown_prot, area_prot) == 0))
                ar = &p->areas[k];
        }
        if (!ar) {
            fail("processes: pid %u has no area \"%s\" (%s)", p->pid, name, row);
            continue;
        }
        skip_blanks(&c);
        uint64_t pages;
        if (lit(&c, "device ")) {
            /* A device area: its device and the frames it maps. */
            uint64_t psize = geometry_page_size(&m->cfg.geo), first, last;
            const struct device *d = ar->kind == AREA_DEVICE ? &m->devices[ar->device] : NULL;
            uint64_t want = d ? d->first_frame + ar->file_offset / psize : 0;
            if (!d || !lit(&c, d->name) || !lit(&c, " f") || !dec(&c, &first) ||
                !lit(&c, "-") || !dec(&c, &last) || !word_end(&c) || first != want ||
                last != want + (ar->end - ar->start) / psize - 1)
                fail("processes: device area %s shown wrong: \"%s\"", name, row);
            continue;
        }
        if (ar->kind == AREA_DEVICE)
            fail("processes: device area %s not shown as one: \"%s\"", name, row);
        if (!dec(&c, &res) || !lit(&c, "/") || !dec(&c, &pages) || !lit(&c, " res")) {
            fail("processes: counts unreadable in \"%s\"", row);
            continue;
        }
        swp = 0;
        if (lit(&c, " ") && (!dec(&c, &swp) || !lit(&c, " swap")))
            fail("processes: swap count unreadable in \"%s\"", row);
        uint64_t want_res, want_swp, psize = geometry_page_size(&m->cfg.geo);
        area_counts(m, p, ar, &want_res, &want_swp);
        if (res != want_res || swp != want_swp ||
            pages != (ar->end - ar->start + psize - 1) / psize)
            fail("processes: pid %u area %s shows %" PRIu64 "/%" PRIu64 " res %" PRIu64
                 " swap, has %" PRIu64 " and %" PRIu64,
                 p->pid, name, res, pages, swp, want_res, want_swp);
    }
    if (!running_seen && m->current < m->nprocs && m->procs[m->current].alive)
        fail("processes: the running process is not on screen");
}

static void check_swap(const struct app *a, const struct screen *sc)
{
    const struct machine *m = timeline_machine(a->tl);
    struct rect r = a->panels[PANEL_SWAP];
    if (r.h < 2 || m->swap.nslots == 0)
        return;
    char row[MAX_COLS + 1];
    for (int i = 0; panel_row(sc, r, i, row); i++) {
        struct cur c = {row};
        uint64_t slot;
        if (lit(&c, "writing slot ") || lit(&c, "reading slot ") || lit(&c, "reserved slot ")) {
            const struct tl_event *cur = timeline_current(a->tl);
            if (!dec(&c, &slot) || !word_end(&c))
                fail("swap: \"%s\"", row);
            else if (!cur || cur->kind != TL_MACHINE || cur->ev.slot != slot)
                fail("swap: \"%s\" but this step uses slot %u", row,
                     cur && cur->kind == TL_MACHINE ? cur->ev.slot : EV_NONE);
            continue;
        }
        skip_blanks(&c);
        const char *start = c.p;
        if (!*c.p)
            continue;
        if (!dec(&c, &slot)) {
            fail("swap: row \"%s\"", row);
            return;
        }
        if (*c.p == ' ') {
            /* Glyph rows: the row's first slot, then one character a slot. */
            c.p++;
            for (uint64_t k = slot; *c.p; k++, c.p++) {
                if (k >= m->swap.nslots) {
                    fail("swap: slot %" PRIu64 " does not exist", k);
                    break;
                }
                const struct swap_slot *sl = swap_at(&m->swap, k);
                char want = !sl->used ? '.' : sl->pid == EV_NONE ? 'm'
                            : sl->pid < 10 ? (char)('0' + sl->pid) : '#';
                if (*c.p != want)
                    fail("swap: slot %" PRIu64 " shows '%c', holds '%c'", k, *c.p, want);
            }
            continue;
        }
        c.p = start;
        for (;;) {
            skip_blanks(&c);
            if (!*c.p)
                break;
            if (!dec(&c, &slot) || !lit(&c, ":") || slot >= m->swap.nslots) {
                fail("swap: a cut cell at \"%s\"", c.p);
                break;
            }
            const struct swap_slot *sl = swap_at(&m->swap, slot);
            char want[128], page[80];
            if (!sl->used)
                snprintf(want, sizeof want, "-");
            else if (sl->pid == EV_NONE)
                snprintf(want, sizeof want, "shared");
            else {
                page_name(m, sl->pid, sl->vpn, page, sizeof page);
                snprintf(want, sizeof want, "p%u %s", sl->pid, page);
            }
            if (strncmp(c.p, want, strlen(want)) != 0 ||
                (c.p[strlen(want)] != '\0' && c.p[strlen(want)] != ' '))
                fail("swap: slot %" PRIu64 " shows \"%.30s\", holds \"%s\"", slot, c.p, want);
            c.p += strlen(want) <= strlen(c.p) ? strlen(want) : strlen(c.p);
            if (sl->used && *c.p == ' ' && c.p[1] && c.p[1] != ' ')
                fail("swap: slot %" PRIu64 " runs on", slot);
        }
    }
}

static void check_status(const struct app *a, const struct screen *sc)
{
    const char *p = strstr(sc->line[0], "| step ");
    struct cur c = {p ? p + 7 : ""};
    uint64_t v;
    if (!p || !dec(&c, &v) || !word_end(&c))
        fail("status: no step number in \"%s\"", sc->line[0]);
    else if (v != timeline_position(a->tl))
        fail("status: step %" PRIu64 " shown at position %" PRIu64, v, timeline_position(a->tl));
    p = strstr(sc->line[0], "| op ");
    c.p = p ? p + 5 : "";
    uint64_t total;
    if (!p || !dec(&c, &v) || !lit(&c, "/") || !dec(&c, &total))
        fail("status: no op count in \"%s\"", sc->line[0]);
    else if (v != timeline_op_index(a->tl) || total != timeline_op_total(a->tl))
        fail("status: op %" PRIu64 "/%" PRIu64 " shown", v, total);
}

/* ------------------------------------------------------------------ */
/* highlights: exactly what the step changed or acts on                 */

/* The victim of an eviction in progress (or EV_NONE). */
static uint32_t victim_now(const struct machine *m, const struct tl_event *cur)
{
    if (cur && cur->kind == TL_MACHINE) {
        switch (cur->ev.kind) {
        case EV_VICTIM_CHOSEN:
        case EV_SWAP_OUT:
        case EV_WRITEBACK:
        case EV_PAGE_DROPPED:
        case EV_UNMAPPED:
        case EV_TLB_INVALIDATE: return cur->ev.victim;
        default: break;
        }
    }
    uint32_t victim;
    return machine_evicting(m, &victim) ? victim : EV_NONE;
}

static void check_highlights(const struct app *a)
{
    const struct machine *m = timeline_machine(a->tl);
    const struct tl_event *cur = timeline_current(a->tl);
    const struct event *ev = cur && cur->kind == TL_MACHINE ? &cur->ev : NULL;
    uint32_t victim = victim_now(m, cur);
    for (size_t i = 0; i < a->hits.n; i++) {
        const struct hit *h = &a->hits.items[i];
        int role = draw_role_at(h->r.y, h->r.x);
        uint32_t k = h->index;
        switch (h->kind) {
        case HIT_TLB: {
            bool hit = ev && ev->kind == EV_TLB_HIT && ev->index * m->tlb.ways + ev->way == k;
            bool fill = ev && ev->kind == EV_TLB_FILL && ev->index * m->tlb.ways + ev->way == k;
            bool inval = ev && ev->kind == EV_TLB_INVALIDATE &&
                         ev->index * m->tlb.ways + ev->way == k;
            if ((role == ROLE_TLB_HIT) != hit || (role == ROLE_TLB_FILL) != fill ||
                (role == ROLE_TLB_INVALIDATE) != inval)
                fail("TLB entry %u drawn as %s, the step is %s", k, theme_role_name(role),
                     ev ? event_name(ev->kind) : "not a machine event");
            break;
        }
        case HIT_FRAME: {
            bool is_victim = k == victim;
            bool is_new = ev && (ev->kind == EV_FRAME_ALLOC || ev->kind == EV_TABLE_ALLOC) &&
                          k >= ev->frame && k - ev->frame < (ev->size > 1 ? ev->size : 1);
            bool is_source = ev && ((ev->kind == EV_COW_COPY && ev->victim == k) ||
                                    (ev->kind == EV_ZERO_FILL && ev->victim == k));
            if ((role == ROLE_VICTIM) != is_victim)
                fail("frame %u %s drawn as the victim (the victim is %s)", k,
                     role == ROLE_VICTIM ? "is" : "is not", victim == EV_NONE ? "none" : "another");
            if ((role == ROLE_FRAME_ALLOC) != (is_new && !is_victim))
                fail("frame %u %s drawn as just taken", k, is_new ? "is not" : "is");
            if ((role == ROLE_SOURCE) != (is_source && !is_victim && !is_new))
                fail("frame %u %s drawn as a copy's source", k, is_source ? "is not" : "is");
            break;
        }
        case HIT_SWAP: {
            /* Reserved at the victim's choice and while it is unmapped,
             * then written; or read back. */
            bool io = ev && (ev->kind == EV_SWAP_OUT || ev->kind == EV_SWAP_IN ||
                             ev->kind == EV_UNMAPPED || ev->kind == EV_VICTIM_CHOSEN) &&
                      ev->slot == k;
            if ((role == ROLE_SWAP_IO) != io)
                fail("swap slot %u %s drawn as being read or written", k, io ? "is not" : "is");
            break;
        }
        }
    }
}

/* The access strip lists only stages whose events have happened. */
static void check_stages(const struct app *a, const struct screen *sc)
{
    struct rect r = a->panels[PANEL_ACCESS];
    char row[MAX_COLS + 1];
    const struct tl_event *log[TIMELINE_LOG_SIZE];
    size_t n = timeline_log(a->tl, log, TIMELINE_LOG_SIZE);
    size_t begin = n;
    for (size_t i = 0; i < n; i++)
        if (log[i]->kind == TL_MACHINE && log[i]->ev.kind == EV_ACCESS_BEGIN) {
            begin = i;
            break;
        }
    for (int i = 0; panel_row(sc, r, i, row); i++) {
        if (strncmp(row, "steps ", 6) != 0)
            continue;
        static const struct {
            const char *label;
            enum event_kind kind, or_kind; /* either shows the stage began */
        } stages[] = {
            {"TLB hit", EV_TLB_HIT, EV_TLB_HIT},
            {"TLB miss", EV_TLB_MISS, EV_TLB_MISS},
            {"walk", EV_WALK_STEP, EV_WALK_STEP},
            {"FAULT", EV_PAGE_FAULT, EV_PAGE_FAULT},
            {"SIGSEGV", EV_SEGFAULT, EV_SEGFAULT},
            {"restart", EV_FAULT_RETURN, EV_FAULT_RETURN},
            {"TLB fill", EV_TLB_FILL, EV_TLB_FILL},
            {"fill", EV_TLB_FILL, EV_TLB_FILL},
            {"done", EV_ACCESS_DONE, EV_ACCESS_DONE},
            {"handler", EV_FAULT_CLASSIFIED, EV_FAULT_CLASSIFIED},
            {"OOM kill", EV_OOM_KILL, EV_OOM_KILL},
            {"new table", EV_TABLE_ALLOC, EV_FRAME_ALLOC},
            {"table", EV_TABLE_ALLOC, EV_FRAME_ALLOC},
        };
        char *save = NULL;
        for (char *w = strtok_r(row + 6, ">", &save); w; w = strtok_r(NULL, ">", &save)) {
            while (*w == ' ' || *w == '<')
                w++;
            size_t len = strlen(w);
            while (len && w[len - 1] == ' ')
                w[--len] = '\0';
            for (size_t k = 0; k < sizeof stages / sizeof stages[0]; k++) {
                if (strcmp(w, stages[k].label) != 0)
                    continue;
                bool happened = false;
                for (size_t e = 0; e <= begin && e < n && !happened; e++)
                    happened = log[e]->kind == TL_MACHINE &&
                               (log[e]->ev.kind == stages[k].kind ||
                                log[e]->ev.kind == stages[k].or_kind) &&
                               log[e]->op_seq == log[begin]->op_seq;
                if (!happened)
                    fail("the access strip shows \"%s\" before it happened", w);
                break;
            }
        }
    }
}

/* ------------------------------------------------------------------ */
/* driving                                                              */

static void check_screen(struct app *a, int cols, int rows)
{
    static struct screen sc;
    app_draw(a);
    screen_read(&sc, cols, rows);
    ctx.sc = &sc;
    ctx.position = timeline_position(a->tl);
    char cut[200];
    if (draw_cuts(cut, sizeof cut))
        fail("text cut at the edge of a panel: %s", cut);
    for (int y = 0; y < rows; y++)
        if (strstr(sc.line[y], "4294967295") || strstr(sc.line[y], "18446744073709551615"))
            fail("a sentinel value on row %d: \"%s\"", y, sc.line[y]);
    const struct machine *m = timeline_machine(a->tl);
    struct seen_access sa = access_in_log(a->tl, m);
    check_status(a, &sc);
    check_access(a, &sc, &sa);
    check_walk(a, &sc, &sa);
    check_tlb(a, &sc, &sa);
    check_frames(a, &sc);
    check_counters(a, &sc);
    check_processes(a, &sc);
    check_swap(a, &sc);
    check_highlights(a);
    check_stages(a, &sc);
}

/* Which steps to look at: all of the first few hundred, every fault and
 * eviction, the first occurrences of every event kind, a spread of the rest. */
#define FIRST_STEPS 250
#define PER_KIND 12
#define SPREAD 997

static bool worth_checking(const struct tl_event *e, unsigned *per_kind)
{
    if (e->position <= FIRST_STEPS || e->position % SPREAD == 0)
        return true;
    if (e->kind != TL_MACHINE)
        return false;
    switch (e->ev.kind) {
    case EV_PAGE_FAULT:
    case EV_VICTIM_CHOSEN:
    case EV_SEGFAULT:
    case EV_OOM_KILL:
        return true;
    default:
        return per_kind[e->ev.kind]++ < PER_KIND;
    }
}

static unsigned screens_checked;

static void check_scenario(const char *path, int cols, int rows)
{
    struct app *a = test_app_open(path, cols, rows);
    CU_ASSERT_FATAL(a != NULL);
    ctx.scenario = path;
    ctx.cols = cols;
    ctx.rows = rows;
    unsigned per_kind[EV_COUNT] = {0};
    check_screen(a, cols, rows);
    screens_checked++;
    const struct tl_event *e;
    while ((e = timeline_next(a->tl)))
        if (worth_checking(e, per_kind)) {
            check_screen(a, cols, rows);
            screens_checked++;
        }
    test_app_close(a);
}

static void test_library(void)
{
    static const int sizes[][2] = {{80, 24}, {120, 40}, {200, 60}};
    DIR *d = opendir("../scenarios");
    CU_ASSERT_FATAL(d != NULL);
    char *names[64];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 64) {
        size_t len = strlen(de->d_name);
        if (len > 5 && strcmp(de->d_name + len - 5, ".yaml") == 0) {
            names[n] = malloc(len + 16);
            snprintf(names[n++], len + 16, "../scenarios/%s", de->d_name);
        }
    }
    closedir(d);
    CU_ASSERT(n >= 15);
    ctx.failures = 0;
    screens_checked = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            ctx.printed = 0;
            check_scenario(names[i], sizes[k][0], sizes[k][1]);
        }
        free(names[i]);
    }
    if (ctx.failures)
        fprintf(stderr, "\n%u mismatches over %u screens\n", ctx.failures, screens_checked);
    CU_ASSERT_EQUAL(ctx.failures, 0);
    CU_ASSERT(screens_checked > 1000);
}


/* ------------------------------------------------------------------ */
/* the sentences                                                        */

/* Every "frame N" and "frames A-B" of a sentence names a frame that exists:
 * one of the pool's, or a device's. */
static void check_frame_numbers(const struct machine *m, const char *text)
{
    for (const char *p = text; (p = strstr(p, "rame")); p += 4) {
        struct cur c = {p + 4};
        uint64_t f;
        if (!lit(&c, "s ") && !lit(&c, " "))
            continue;
        if (dec(&c, &f) && f >= frames_total(&m->pool) && !machine_device_at(m, f))
            fail("a sentence names frame %" PRIu64 " of %u: \"%s\"", f, frames_total(&m->pool),
                 text);
    }
}

static void check_sentence(const struct tl_event *e, const struct machine *m)
{
    char text[1024];
    narrate(e, m, text, sizeof text);
    if (strstr(text, "4294967295") || strstr(text, "18446744073709551615"))
        fail("a sentinel in a sentence: \"%s\"", text);
    check_frame_numbers(m, text);
    if (e->kind != TL_MACHINE)
        return;
    const struct event *ev = &e->ev;
    const struct geometry *g = &m->cfg.geo;
    uint64_t v;
    switch (ev->kind) {
    case EV_FRAME_ALLOC: {
        bool zero = frames_at(&m->pool, ev->frame)->kind == FRAME_ZERO;
        if (zero != (strstr(text, "zero page") != NULL))
            fail("frame %u %s the zero page, the sentence says \"%s\"", ev->frame,
                 zero ? "becomes" : "is not", text);
        if (ev->size > 1) {
            char want[64];
            snprintf(want, sizeof want, "Frames %u-%" PRIu64 " ", ev->frame,
                     ev->frame + ev->size - 1);
            if (!strstr(text, want))
                fail("a huge page's frames are not named: \"%s\"", text);
        }
        break;
    }
    case EV_ZERO_PAGE: {
        char want[64];
        if (ev->size > 1) {
            snprintf(want, sizeof want, "huge zero page (frames %u-%" PRIu64 ")",
                     m->huge_zero_frame, m->huge_zero_frame + ev->size - 1);
            if (ev->frame != m->huge_zero_frame || !strstr(text, want))
                fail("the huge zero page is frames %s, the sentence says \"%s\"", want, text);
            break;
        }
        snprintf(want, sizeof want, "zero page (frame %u)", m->zero_frame);
        if (ev->frame != m->zero_frame || !strstr(text, want))
            fail("the zero page is frame %u, the sentence says \"%s\"", m->zero_frame, text);
        break;
    }
    case EV_PAGE_FAULT: {
        const char *p = strstr(text, "error code 0x");
        struct cur c = {p ? p + 13 : ""};
        if (!p || !hex(&c, &v) || v != ev->fault_code)
            fail("fault code 0x%x, the sentence says \"%s\"", ev->fault_code, text);
        bool write = (ev->fault_code & FAULT_CODE_WRITE) != 0;
        bool present = (ev->fault_code & FAULT_CODE_PROTECTION) != 0;
        if ((strstr(text, "= write,") != NULL) != write ||
            (strstr(text, "page not present") != NULL) == present)
            fail("fault code 0x%x decoded as \"%s\"", ev->fault_code, text);
        break;
    }
    case EV_ACCESS_DONE: {
        /* "physical 0xPA (... frame F, offset 0xO)": PA = F x page + O. */
        const char *p = strstr(text, "physical 0x");
        const char *f = strstr(text, "frame ");
        const char *o = strstr(text, "offset 0x");
        struct cur cp = {p ? p + 9 : ""}, cf = {f ? f + 6 : ""}, co = {o ? o + 7 : ""};
        uint64_t pa, frame, off;
        if (!p || !f || !o || !hex0x(&cp, &pa) || !dec(&cf, &frame) || !hex0x(&co, &off))
            fail("an access without its address: \"%s\"", text);
        else if (pa != ev->pa || (frame << g->page_shift) + off != pa || frame != ev->frame)
            fail("PA 0x%" PRIx64 " = frame %u + offset: the sentence says \"%s\"", ev->pa,
                 ev->frame, text);
        break;
    }
    case EV_VICTIM_CHOSEN:
        if (m->pool.free_table && strstr(text, "No frame is free.") != NULL)
            fail("%u frames are free for tables, the sentence says \"%s\"", m->pool.free_table,
                 text);
        break;
    default:
        break;
    }
}

/* The line that sums an access up names that access and ends where it did. */
static void check_summary(const struct timeline *tl, const struct event *done)
{
    char text[2048], head[64], tail[64];
    narrate_access(tl, text, sizeof text);
    snprintf(head, sizeof head, "%s%s 0x%" PRIx64 ": ", done->kernel ? "kernel " : "",
             access_kind_name(done->access), done->va);
    snprintf(tail, sizeof tail, "> done, PA 0x%" PRIx64, done->pa);
    size_t n = strlen(text), t = strlen(tail);
    if (strncmp(text, head, strlen(head)) != 0 || n < t || strcmp(text + n - t, tail) != 0)
        fail("the access summary \"%s\" is not of %s", text, head);
}

static void test_sentences(void)
{
    DIR *d = opendir("../scenarios");
    CU_ASSERT_FATAL(d != NULL);
    struct dirent *de;
    ctx.failures = 0;
    ctx.sc = NULL;
    unsigned checked = 0;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len <= 5 || strcmp(de->d_name + len - 5, ".yaml") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "../scenarios/%s", de->d_name);
        struct diag err;
        struct scenario *s = scenario_load(path, &err);
        CU_ASSERT_FATAL(s != NULL);
        struct timeline *tl = timeline_create(s, NULL, &err);
        CU_ASSERT_FATAL(tl != NULL);
        ctx.scenario = path;
        ctx.printed = 0;
        unsigned per_kind[EV_COUNT] = {0};
        const struct tl_event *e;
        while ((e = timeline_next(tl))) {
            ctx.position = e->position;
            /* Every sentence of the small scenarios; of the long ones, the
             * first thousands of each kind. */
            if (e->kind == TL_MACHINE && per_kind[e->ev.kind]++ > 5000)
                continue;
            check_sentence(e, timeline_machine(tl));
            checked++;
            if (e->kind == TL_MACHINE && e->ev.kind == EV_ACCESS_DONE)
                check_summary(tl, &e->ev);
        }
        timeline_destroy(tl);
        scenario_free(s);
    }
    closedir(d);
    if (ctx.failures)
        fprintf(stderr, "\n%u sentences disagree with the machine\n", ctx.failures);
    CU_ASSERT_EQUAL(ctx.failures, 0);
    CU_ASSERT(checked > 50000);
}

static void test_fault_codes(void)
{
    static const struct {
        uint8_t code;
        const char *text;
    } want[] = {
        {0x4, "0x4 = read, user mode, page not present"},
        {0x6, "0x6 = write, user mode, page not present"},
        {0x7, "0x7 = write, user mode, page present (a protection violation)"},
        {0x5, "0x5 = read, user mode, page present (a protection violation)"},
        {0x14, "0x14 = instruction fetch, user mode, page not present"},
        {0x15, "0x15 = instruction fetch, user mode, page present (a protection violation)"},
        {0x2, "0x2 = write, kernel mode, page not present"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char buf[128];
        narrate_fault_code(want[i].code, buf, sizeof buf);
        CU_ASSERT_STRING_EQUAL(buf, want[i].text);
    }
}

void suite_truth_register(void);
void suite_truth_register(void)
{
    CU_pSuite s = CU_add_suite("truth", NULL, NULL);
    CU_add_test(s, "every number on screen is the machine's", test_library);
    CU_add_test(s, "every sentence agrees with the machine", test_sentences);
    CU_add_test(s, "page-fault error codes in words", test_fault_codes);
}
