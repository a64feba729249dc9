/* The text panels: counters, narration and the event log. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "play/narrate.h"
#include "play/timeline.h"
#include "scenario/scenario.h"
#include "tui/keys.h"
#include "tui/view.h"

/* ------------------------------------------------------------------ */
/* counters                                                             */

struct counter_item {
    const char *label, *short_label;
    uint64_t value, delta;
    bool rate;        /* value is a per-mille rate */
};

#define COUNTER_ITEMS 10
/* Blanks between two counters of the flowing form. */
#define COUNTER_FLOW_GAP 2

/* The counters a student looks at, in that order. */
static size_t counter_items(const struct scene *s, struct counter_item *items)
{
    const struct counters *c = &s->m->counters;
    const struct counters *base = timeline_chapter_start(s->tl);
    struct counters zero = {0};
    if (!base)
        base = &zero;
    uint64_t lookups = c->tlb_hits + c->tlb_misses;
    const struct counter_item all[COUNTER_ITEMS] = {
        {"accesses", "acc", c->accesses, c->accesses - base->accesses, false},
        {"minor faults", "minor", c->minor_faults, c->minor_faults - base->minor_faults, false},
        {"major faults", "major", c->major_faults, c->major_faults - base->major_faults, false},
        {"TLB hits", "hit", c->tlb_hits, c->tlb_hits - base->tlb_hits, false},
        {"TLB misses", "miss", c->tlb_misses, c->tlb_misses - base->tlb_misses, false},
        {"TLB hit rate", "TLB", lookups ? c->tlb_hits * 1000 / lookups : 0, 0, true},
        {"evictions", "evict", c->evictions, c->evictions - base->evictions, false},
        {"swap in", "swapin", c->swap_ins, c->swap_ins - base->swap_ins, false},
        {"swap out", "swapout", c->swap_outs, c->swap_outs - base->swap_outs, false},
        {"SIGSEGV", "segv", c->segfaults, c->segfaults - base->segfaults, false},
    };
    memcpy(items, all, sizeof all);
    return COUNTER_ITEMS;
}

static void counter_value(const struct counter_item *it, bool has_lookups, char *buf, size_t len)
{
    if (it->rate && has_lookups)
        snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "%%", it->value / 10, it->value % 10);
    else if (it->rate)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%" PRIu64, it->value);
}

/* Counters as a flowing list, "minor 17+1  major 0  evict 3+3 ...". With
 * draw false, only measures: returns the rows needed at r.w. */
static int counters_flow(const struct counter_item *items, size_t n, bool has_lookups,
                         bool deltas, struct rect r, bool draw)
{
    int y = 0, x = 0;
    for (size_t k = 0; k < n; k++) {
        const struct counter_item *it = &items[k];
        char value[48], delta[24] = "";
        counter_value(it, has_lookups, value, sizeof value);
        if (deltas && !it->rate && it->delta)
            snprintf(delta, sizeof delta, "+%" PRIu64, it->delta);
        int w = draw_width(it->short_label) + 1 + draw_width(value) + draw_width(delta);
        if (x > 0 && x + w > r.w) {
            y++;
            x = 0;
        }
        if (draw) {
            draw_text(r, y, x, ROLE_DIM, it->short_label);
            draw_textf(r, y, x + draw_width(it->short_label), ROLE_NORMAL, " %s", value);
            draw_text(r, y, x + w - draw_width(delta), ROLE_DELTA, delta);
        }
        x += w + COUNTER_FLOW_GAP;
    }
    return y + 1;
}

/* The table form: columns this wide, the value this far into its
 * column. */
#define COUNTER_COL_W 26
#define COUNTER_VALUE_X 13

/* Columns of the table form at width w: 0 when not every item would fit
 * whole in its column. */
static int counter_columns(const struct counter_item *items, size_t n, int w, int h)
{
    int cols = w / COUNTER_COL_W;
    /* One counter a row wastes the rows a narrow screen lacks: flow then. */
    if (cols < 2 || ((int)n + cols - 1) / cols > h)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char text[96];
        counter_value(&items[i], true, text, sizeof text);
        int iw = COUNTER_VALUE_X + draw_width(text);
        if (!items[i].rate)
            iw += snprintf(text, sizeof text, " +%" PRIu64, items[i].delta);
        if (iw > w / cols - 1)
            return 0;
    }
    return cols;
}

/* Beside the model's counters, Linux's for the chapter when the scenario
 * carries them (a captured program's native run): the longest form of
 * the line that fits width into out; false when there is none, or no
 * form fits whole. */
static bool linux_counts_line(const struct scene *s, int width, char *out, size_t len)
{
    const struct scenario *sc = timeline_scenario(s->tl);
    const struct scenario_step *st =
        scenario_chapter_step(sc->steps, sc->step_count, timeline_chapter(s->tl));
    const struct counters *start = timeline_chapter_start(s->tl);
    if (!st || !st->u.text.linux_minor.present || !start)
        return false;
    uint64_t linux_minor = st->u.text.linux_minor.value;
    uint64_t model = s->m->counters.minor_faults - start->minor_faults;
    for (int form = 0; form < 3; form++) {
        int n = form == 0 ? snprintf(out, len, "Linux counted +%" PRIu64 " minor faults in this "
                                     "chapter; the model +%" PRIu64 " so far", linux_minor, model)
                : form == 1 ? snprintf(out, len, "Linux +%" PRIu64 " minor faults here; model +%"
                                       PRIu64 " so far", linux_minor, model)
                            : snprintf(out, len, "Linux +%" PRIu64 " minor, model +%" PRIu64,
                                       linux_minor, model);
        if (n > 0 && n <= width)
            return true;
    }
    return false;
}

int view_counters_want(const struct scene *s, int width, bool compact)
{
    (void)compact;
    /* Every counter, as a table when it fits, else flowing; as many rows
     * as that takes (no limit to measure against). */
    enum { UNLIMITED = 1000 };
    struct counter_item items[COUNTER_ITEMS];
    size_t n = counter_items(s, items);
    struct rect r = {0, 0, UNLIMITED, width};
    int cols = counter_columns(items, n, width, UNLIMITED);
    char line[160];
    int linux_row = linux_counts_line(s, width, line, sizeof line) ? 1 : 0;
    if (cols >= 1)
        return 1 + ((int)n + cols - 1) / cols + linux_row;
    return 1 + counters_flow(items, n, true, true, r, false) + linux_row;
}

void view_counters_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    const struct counters *c = &s->m->counters;
    static const char *const extras[] = {"(+change since the chapter began)", "(+ this chapter)"};
    r = view_frame_fit(v, r, PANEL_COUNTERS, extras, 2);
    if (!rect_ok(r))
        return;
    struct counter_item items[COUNTER_ITEMS];
    size_t n = counter_items(s, items);
    bool has_lookups = c->tlb_hits + c->tlb_misses > 0;
    /* Columns of COUNTER_COL_W when all fit, else the flowing list with
     * the changes, else without them: every counter is always there,
     * whole. */
    int cols = counter_columns(items, n, r.w, r.h);
    char line[160];
    bool linux_counts = linux_counts_line(s, r.w, line, sizeof line);
    if (cols < 1) {
        bool deltas = counters_flow(items, n, has_lookups, true, r, false) <= r.h;
        int used = counters_flow(items, n, has_lookups, deltas, r, true);
        if (linux_counts && used < r.h)
            draw_text(r, used, 0, ROLE_NORMAL, line);
        return;
    }
    if (linux_counts && ((int)n + cols - 1) / cols < r.h)
        draw_text(r, ((int)n + cols - 1) / cols, 0, ROLE_NORMAL, line);
    int colw = r.w / cols;
    for (size_t i = 0; i < n; i++) {
        int row = (int)i / cols, col = (int)i % cols;
        struct rect cell = rect_cols(r, col * colw, colw - 1);
        draw_text(cell, row, 0, ROLE_DIM, items[i].label);
        char value[48];
        counter_value(&items[i], has_lookups, value, sizeof value);
        int w = draw_text(cell, row, COUNTER_VALUE_X, items[i].rate && !has_lookups ? ROLE_DIM : ROLE_NORMAL,
                          value);
        if (!items[i].rate)
            draw_wholef(cell, row, COUNTER_VALUE_X + w, items[i].delta ? ROLE_DELTA : ROLE_DIM,
                        " +%" PRIu64, items[i].delta);
    }
}

/* ------------------------------------------------------------------ */
/* narration                                                            */

void view_narration_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    const char *chapter = timeline_chapter(s->tl);
    char text[1024], say[1024] = "";
    enum role role = ROLE_NARRATION;
    if (!s->cur) {
        const struct scenario *sc = timeline_scenario(s->tl);
        const char *d = sc->description.value;
        snprintf(text, sizeof text, "%s", d && *d ? d : "Nothing has happened yet.");
        snprintf(say, sizeof say,
                 "%s plays, %s or %s takes one step, %s changes the step size, "
                 "%s shows the whole description, %s shows every key.",
                 keys_first(ACTION_PLAY).s, keys_first(ACTION_STEP_FORWARD).s,
                 keys_named(KEYS_CLICKER_NEXT).s, keys_first(ACTION_UNIT).s,
                 keys_first(ACTION_INFO).s, keys_first(ACTION_HELP).s);
    } else {
        size_t used = 0;
        const struct tl_event *c = s->cur;
        if (c->kind == TL_MACHINE && c->ends_access &&
            (c->ev.kind == EV_ACCESS_DONE || c->ev.kind == EV_SEGFAULT ||
             c->ev.kind == EV_OOM_KILL)) {
            /* The end of an access: the whole of it in one line first, so
             * stepping an access at a time tells everything it did. */
            used = narrate_access(s->tl, text, sizeof text);
            if (used && used + 2 < sizeof text) {
                text[used++] = '\n';
                text[used] = '\0';
            }
        }
        narrate(s->cur, s->m, text + used, sizeof text - used);
        if (s->cur->kind == TL_EXPECT && s->cur->failed)
            role = ROLE_ERROR;
        /* The scenario's own words in force, unless this step is them. */
        if (s->say && *s->say && s->cur->kind != TL_SAY)
            snprintf(say, sizeof say, "\"%s\"", s->say);
        /* Words written for the scenario's policy, shown in a run that
         * replaces pages by another (--policy): said so, lest they tell
         * how that other one chooses. */
        enum policy_kind own = timeline_own_policy(s->tl);
        char *words = s->cur->kind == TL_SAY ? text : say[0] ? say : NULL;
        size_t room = words == text ? sizeof text : sizeof say, at = words ? strlen(words) : 0;
        if (words && s->m->cfg.policy != own && at < room)
            snprintf(words + at, room - at, " (written for %s; this run replaces pages by %s)",
                     policy_name(own), policy_name(s->m->cfg.policy));
    }
    int w = r.w > 0 ? r.w : 1;
    int h = v->titled ? r.h - 1 : r.h;
    int rows_text = draw_wrap_rows(w, text), rows_say = say[0] ? draw_wrap_rows(w, say) : 0;
    int total = rows_text + rows_say;
    char extra[200] = "";
    int len = chapter ? snprintf(extra, sizeof extra, "chapter: %s", chapter) : 0;
    if (total > h && h > 0)
        snprintf(extra + len, sizeof extra - (size_t)len, "%smore below: %s to here, then %s",
                 len ? "; " : "", keys_first(ACTION_FOCUS).s, keys_first(ACTION_LINE_DOWN).s);
    r = view_frame(v, r, PANEL_NARRATION, extra);
    if (!rect_ok(r))
        return;
    /* Scrolled when focused; otherwise from the top, the sentence first. */
    int off = v->focused && v->scroll ? *v->scroll : 0;
    if (off > total - r.h)
        off = total - r.h;
    if (off < 0)
        off = 0;
    if (v->scroll)
        *v->scroll = off;
    int y = 0;
    if (off < rows_text)
        y = draw_wrap_skip(r, 0, role, text, off);
    if (say[0] && y < r.h)
        draw_wrap_skip(rect_below(r, y), 0, s->cur ? ROLE_SAY : ROLE_DIM, say,
                       off > rows_text ? off - rows_text : 0);
}

/* ------------------------------------------------------------------ */
/* the event log                                                        */

void view_event_line(const struct tl_event *e, const struct machine *m, char *buf, size_t len)
{
    const struct geometry *g = &m->cfg.geo;
    switch (e->kind) {
    case TL_SAY: snprintf(buf, len, "say \"%s\"", e->text ? e->text : ""); return;
    case TL_CHAPTER: snprintf(buf, len, "== chapter: %s ==", e->text ? e->text : ""); return;
    case TL_PAUSE: snprintf(buf, len, "pause"); return;
    case TL_ASK: snprintf(buf, len, "ask \"%s\"", e->text ? e->text : ""); return;
    case TL_EXPECT: {
        size_t used = (size_t)snprintf(buf, len, "expect %s", e->failed ? "FAILED:" : "ok:");
        for (unsigned i = 0; i < e->nchecks && used < len; i++) {
            const struct tl_check *c = &e->checks[i];
            used += (size_t)snprintf(buf + used, len - used, " %s %s%" PRIu64 "%s%" PRIu64,
                                     counter_name(c->counter), c->relative ? "+" : "",
                                     c->expected, c->ok ? "=" : "!=", c->actual);
        }
        return;
    }
    case TL_MACHINE: break;
    }
    const struct event *ev = &e->ev;
    const char *name = event_name(ev->kind);
    switch (event_line(ev->kind)) {
    case LINE_ACCESS:
        snprintf(buf, len, "%s pid %" PRIu32 " %s%s 0x%" PRIx64, name, ev->pid,
                 ev->kernel ? "kernel " : "", access_kind_name(ev->access), ev->va);
        break;
    case LINE_SET_WAY_FRAME:
        snprintf(buf, len, "%s set %" PRIu32 " way %" PRIu32 " -> frame %" PRIu32, name, ev->index,
                 ev->way, ev->frame);
        break;
    case LINE_SET:
        snprintf(buf, len, "%s set %" PRIu32, name, ev->index);
        break;
    case LINE_SET_WAY_DETAIL:
        snprintf(buf, len, "%s set %" PRIu32 " way %" PRIu32 "%s%s", name, ev->index, ev->way,
                 ev->detail[0] ? ": " : "", ev->detail);
        break;
    case LINE_WALK:
        snprintf(buf, len, "%s %s[%" PRIu32 "] in frame %" PRIu32 " = 0x%" PRIx64, name,
                 ev->level >= 0 ? geometry_level_name(g, ev->level) : "?", ev->index,
                 ev->frame, ev->entry);
        break;
    case LINE_CODE: {
        char code[96];
        narrate_fault_code(ev->fault_code, code, sizeof code);
        snprintf(buf, len, "%s at 0x%" PRIx64 " error code %s", name, ev->va, code);
        break;
    }
    case LINE_FAULT:
        snprintf(buf, len, "%s %s%s%s", name, fault_kind_name((enum fault_kind)ev->fault_kind),
                 ev->detail[0] ? ": " : "", ev->detail);
        break;
    case LINE_FRAME:
        snprintf(buf, len, "%s frame %" PRIu32, name, ev->frame);
        break;
    case LINE_VICTIM:
        snprintf(buf, len, "%s frame %" PRIu32 ": %s", name, ev->victim, ev->detail);
        break;
    case LINE_SLOT:
        snprintf(buf, len, "%s slot %" PRIu32 " frame %" PRIu32, name, ev->slot, ev->frame);
        break;
    case LINE_UNMAPPED:
        snprintf(buf, len, "%s pid %" PRIu32 " page 0x%" PRIx64 " from frame %" PRIu32, name,
                 ev->other_pid, ev->other_vpn, ev->victim);
        break;
    case LINE_ENTRY:
        snprintf(buf, len, "%s = 0x%" PRIx64 " (frame %" PRIu32 ")", name, ev->entry, ev->frame);
        break;
    case LINE_PA:
        snprintf(buf, len, "%s PA 0x%" PRIx64, name, ev->pa);
        break;
    case LINE_DETAIL:
        snprintf(buf, len, "%s%s%s", name, ev->detail[0] ? ": " : "", ev->detail);
        break;
    }
}

/* The role of each event tone. */
static const enum role tone_roles[] = {
    [TONE_PLAIN] = ROLE_NORMAL,     [TONE_ACCESS] = ROLE_VA,     [TONE_TLB_HIT] = ROLE_TLB_HIT,
    [TONE_TLB_MISS] = ROLE_TLB_MISS, [TONE_FAULT] = ROLE_FAULT, [TONE_VICTIM] = ROLE_VICTIM,
};

static enum role log_role(const struct tl_event *e)
{
    if (e->kind == TL_CHAPTER)
        return ROLE_TITLE;
    if (e->kind == TL_SAY)
        return ROLE_SAY;
    if (e->kind == TL_EXPECT)
        return e->failed ? ROLE_ERROR : ROLE_DIM;
    if (e->kind != TL_MACHINE)
        return ROLE_DIM;
    return tone_roles[event_tone(e->ev.kind)];
}

void view_log_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    char extra[64];
    char keys[48];
    snprintf(keys, sizeof keys, ", %s/%s scroll", keys_first(ACTION_LINE_UP).s,
             keys_first(ACTION_LINE_DOWN).s);
    snprintf(extra, sizeof extra, "newest last%s", v->focused ? keys : "");
    r = view_frame(v, r, PANEL_LOG, extra);
    if (!rect_ok(r))
        return;
    int max_scroll = (int)s->nlog > r.h ? (int)s->nlog - r.h : 0;
    int scroll = v->scroll ? *v->scroll : 0;
    if (scroll > max_scroll)
        scroll = max_scroll;
    if (scroll < 0)
        scroll = 0;
    if (v->scroll)
        *v->scroll = scroll;
    /* Row r.h - 1 shows log[scroll] (the newest when not scrolled). */
    for (int row = r.h - 1, i = scroll; row >= 0 && i < (int)s->nlog; row--, i++) {
        const struct tl_event *e = s->log[i];
        char line[512];
        view_event_line(e, s->m, line, sizeof line);
        int x = draw_wholef(r, row, 0, i == 0 ? ROLE_CURRENT : ROLE_DIM, "%6" PRIu64, e->position);
        x += draw_text(r, row, x, ROLE_NORMAL, "  ");
        draw_words(r, row, x, log_role(e), line);
    }
}
