/* The text panels: counters, narration and the event log. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "play/narrate.h"
#include "scenario/scenario.h"
#include "tui/view.h"

/* ------------------------------------------------------------------ */
/* counters                                                             */

struct counter_item {
    const char *label;
    uint64_t value, delta;
    bool rate;        /* value is a per-mille rate */
};

/* Short names, in the order a student looks for them, for small screens. */
static const char *const short_labels[] = {"acc", "minor", "major", "hit", "miss", "TLB",
                                           "evict", "swapin", "swapout", "segv"};
static const int flow_order[] = {1, 2, 6, 7, 8, 5, 3, 4, 0, 9};

/* Counters as a flowing list, "minor 17+1  major 0  evict 3+3 ...". */
static void draw_counters_flow(const struct counter_item *items, size_t n, uint64_t lookups,
                               struct rect r)
{
    int y = 0, x = 0;
    for (size_t k = 0; k < n && k < sizeof flow_order / sizeof flow_order[0]; k++) {
        const struct counter_item *it = &items[flow_order[k]];
        char value[48], delta[24] = "";
        if (it->rate && lookups)
            snprintf(value, sizeof value, "%" PRIu64 ".%" PRIu64 "%%", it->value / 10,
                     it->value % 10);
        else if (it->rate)
            snprintf(value, sizeof value, "-");
        else
            snprintf(value, sizeof value, "%" PRIu64, it->value);
        if (!it->rate && it->delta)
            snprintf(delta, sizeof delta, "+%" PRIu64, it->delta);
        const char *label = short_labels[flow_order[k]];
        int w = draw_width(label) + 1 + draw_width(value) + draw_width(delta) + 2;
        if (x > 0 && x + w - 2 > r.w) {
            if (++y >= r.h)
                return;
            x = 0;
        }
        x += draw_text(r, y, x, ROLE_DIM, label);
        x += draw_textf(r, y, x, ROLE_NORMAL, " %s", value);
        x += draw_text(r, y, x, ROLE_DELTA, delta);
        x += 2;
    }
}

void view_counters_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    const struct counters *c = &s->m->counters;
    const struct counters *base = timeline_chapter_start(s->tl);
    struct counters zero = {0};
    if (!base)
        base = &zero;
    r = view_frame(v, r, PANEL_COUNTERS,
                   r.w >= 50 ? "(+change since the chapter began)" : "(+ this chapter)");
    if (!rect_ok(r))
        return;
    uint64_t lookups = c->tlb_hits + c->tlb_misses;
    struct counter_item items[] = {
        {"accesses", c->accesses, c->accesses - base->accesses, false},
        {"minor faults", c->minor_faults, c->minor_faults - base->minor_faults, false},
        {"major faults", c->major_faults, c->major_faults - base->major_faults, false},
        {"TLB hits", c->tlb_hits, c->tlb_hits - base->tlb_hits, false},
        {"TLB misses", c->tlb_misses, c->tlb_misses - base->tlb_misses, false},
        {"TLB hit rate", lookups ? c->tlb_hits * 1000 / lookups : 0, 0, true},
        {"evictions", c->evictions, c->evictions - base->evictions, false},
        {"swap in", c->swap_ins, c->swap_ins - base->swap_ins, false},
        {"swap out", c->swap_outs, c->swap_outs - base->swap_outs, false},
        {"SIGSEGV", c->segfaults, c->segfaults - base->segfaults, false},
    };
    size_t n = sizeof items / sizeof items[0];
    if ((int)((n + (size_t)(r.w / 26 ? r.w / 26 : 1) - 1) / (size_t)(r.w / 26 ? r.w / 26 : 1)) > r.h) {
        draw_counters_flow(items, n, lookups, r);
        return;
    }
    /* Columns of fixed width, as many as fit. */
    int colw = 26;
    int cols = r.w / colw;
    if (cols < 1)
        cols = 1;
    if (cols > 1 && ((int)n + cols - 1) / cols > r.h)
        colw = r.w / cols;
    if (((int)n + cols - 1) / cols > r.h && r.w >= 2 * 19) {
        colw = 19;
        cols = r.w / colw;
    }
    for (size_t i = 0; i < n; i++) {
        int row = (int)i / cols, col = (int)i % cols;
        if (row >= r.h)
            break;
        int x = col * colw;
        struct rect cell = rect_cols(r, x, colw - 1);
        int lw = colw >= 24 ? 13 : 9;
        char label[16];
        snprintf(label, sizeof label, "%.*s", lw - 1, items[i].label);
        draw_text(cell, row, 0, ROLE_DIM, label);
        if (items[i].rate) {
            if (lookups)
                draw_textf(cell, row, lw, ROLE_NORMAL, "%" PRIu64 ".%" PRIu64 "%%",
                           items[i].value / 10, items[i].value % 10);
            else
                draw_text(cell, row, lw, ROLE_DIM, "-");
            continue;
        }
        int w = draw_textf(cell, row, lw, ROLE_NORMAL, "%" PRIu64, items[i].value);
        draw_textf(cell, row, lw + w, items[i].delta ? ROLE_DELTA : ROLE_DIM, " +%" PRIu64,
                   items[i].delta);
    }
}

/* ------------------------------------------------------------------ */
/* narration                                                            */

void view_narration_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    const char *chapter = timeline_chapter(s->tl);
    char extra[160] = "";
    if (chapter)
        snprintf(extra, sizeof extra, "chapter: %s", chapter);
    r = view_frame(v, r, PANEL_NARRATION, extra);
    if (!rect_ok(r))
        return;
    int y = 0;
    if (!s->cur) {
        const struct scenario *sc = timeline_scenario(s->tl);
        const char *d = sc->description.value;
        y += draw_wrap(r, y, ROLE_NARRATION,
                       d && *d ? d : "Nothing has happened yet.");
        if (y < r.h)
            draw_wrap(r, y, ROLE_DIM,
                      "Space plays, Right or PgDn takes one step, s changes the step size, "
                      "? shows every key.");
        return;
    }
    char text[1024];
    narrate(s->cur, s->m, text, sizeof text);
    /* Keep a row for the scenario's own words when it has some. */
    bool say = s->say && *s->say && s->cur->kind != TL_SAY;
    struct rect main = say && r.h >= 2 ? rect_rows(r, 0, r.h - 1) : r;
    enum role role = s->cur->kind == TL_EXPECT && s->cur->failed ? ROLE_ERROR : ROLE_NARRATION;
    y += draw_wrap(main, 0, role, text);
    if (say && y < r.h) {
        char line[1024];
        snprintf(line, sizeof line, "\"%s\"", s->say);
        draw_wrap(rect_below(r, y), 0, ROLE_SAY, line);
    }
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
    switch (ev->kind) {
    case EV_ACCESS_BEGIN:
        snprintf(buf, len, "%s pid %" PRIu32 " %s 0x%" PRIx64, name, ev->pid,
                 access_kind_name(ev->access), ev->va);
        break;
    case EV_TLB_HIT:
        snprintf(buf, len, "%s set %" PRIu32 " way %" PRIu32 " -> frame %" PRIu32, name, ev->index,
                 ev->way, ev->frame);
        break;
    case EV_TLB_MISS:
        snprintf(buf, len, "%s set %" PRIu32, name, ev->index);
        break;
    case EV_TLB_FILL:
    case EV_TLB_INVALIDATE:
        snprintf(buf, len, "%s set %" PRIu32 " way %" PRIu32 "%s%s", name, ev->index, ev->way,
                 ev->detail[0] ? ": " : "", ev->detail);
        break;
    case EV_WALK_STEP:
        snprintf(buf, len, "%s %s[%" PRIu32 "] in frame %" PRIu32 " = 0x%" PRIx64, name,
                 ev->level >= 0 ? view_level_name(g, (unsigned)ev->level) : "?", ev->index,
                 ev->frame, ev->entry);
        break;
    case EV_PAGE_FAULT:
        snprintf(buf, len, "%s at 0x%" PRIx64 " error code 0x%x", name, ev->va, ev->fault_code);
        break;
    case EV_FAULT_CLASSIFIED:
    case EV_SEGFAULT:
        snprintf(buf, len, "%s %s%s%s", name, fault_kind_name((enum fault_kind)ev->fault_kind),
                 ev->detail[0] ? ": " : "", ev->detail);
        break;
    case EV_FRAME_ALLOC:
    case EV_TABLE_ALLOC:
    case EV_ZERO_FILL:
    case EV_ZERO_PAGE:
    case EV_FILE_READ:
    case EV_CACHE_HIT:
    case EV_COW_COPY:
    case EV_COW_REUSE:
        snprintf(buf, len, "%s frame %" PRIu32, name, ev->frame);
        break;
    case EV_VICTIM_CHOSEN:
        snprintf(buf, len, "%s frame %" PRIu32 ": %s", name, ev->victim, ev->detail);
        break;
    case EV_SWAP_OUT:
    case EV_SWAP_IN:
        snprintf(buf, len, "%s slot %" PRIu32 " frame %" PRIu32, name, ev->slot, ev->frame);
        break;
    case EV_UNMAPPED:
        snprintf(buf, len, "%s pid %" PRIu32 " page 0x%" PRIx64 " from frame %" PRIu32, name,
                 ev->other_pid, ev->other_vpn, ev->victim);
        break;
    case EV_PTE_UPDATE:
        snprintf(buf, len, "%s = 0x%" PRIx64 " (frame %" PRIu32 ")", name, ev->entry, ev->frame);
        break;
    case EV_ACCESS_DONE:
        snprintf(buf, len, "%s PA 0x%" PRIx64, name, ev->pa);
        break;
    default:
        snprintf(buf, len, "%s%s%s", name, ev->detail[0] ? ": " : "", ev->detail);
        break;
    }
}

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
    switch (e->ev.kind) {
    case EV_PAGE_FAULT:
    case EV_SEGFAULT:
    case EV_OOM_KILL: return ROLE_FAULT;
    case EV_TLB_HIT: return ROLE_TLB_HIT;
    case EV_TLB_MISS: return ROLE_TLB_MISS;
    case EV_VICTIM_CHOSEN: return ROLE_VICTIM;
    case EV_ACCESS_BEGIN: return ROLE_VA;
    default: return ROLE_NORMAL;
    }
}

void view_log_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    char extra[64];
    snprintf(extra, sizeof extra, "newest last%s", v->focused ? ", Up/Down scroll" : "");
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
        int x = draw_textf(r, row, 0, i == 0 ? ROLE_CURRENT : ROLE_DIM, "%6" PRIu64, e->position);
        x += draw_text(r, row, x, ROLE_NORMAL, "  ");
        draw_text(r, row, x, log_role(e), line);
    }
}
