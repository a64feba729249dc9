/* The scenario's title, its whole description and the machine it runs
 * on, scrollable: the panels only have room for its start. */
#include <inttypes.h>
#include <stdio.h>

#include "scenario/scenario.h"
#include "tui/app.h"
#include "tui/keys.h"
#include "tui/screens.h"
#include "tui/term.h"

/* The window's widest, for lines that read well, and the columns it keeps
 * off each side of a narrower screen. */
#define INFO_MAX_COLS 100
#define INFO_EDGE 2

void screen_info_init(struct app *a)
{
    a->info_scroll = 0;
}

void screen_info_draw(struct app *a)
{
    int cols, rows;
    term_size(&cols, &rows);
    int w = cols - 2 * INFO_EDGE < INFO_MAX_COLS ? cols - 2 * INFO_EDGE : INFO_MAX_COLS;
    struct rect box = overlay_box(w, rows - 2 * OVERLAY_MARGIN);
    draw_box(box, ROLE_OVERLAY, "About this scenario");
    struct rect in = overlay_inside(box, OVERLAY_PAD);
    const struct machine *m = timeline_machine(a->tl);
    const struct geometry *g = &m->cfg.geo;
    char text[8192];
    int len = snprintf(text, sizeof text, "%s\n%s\n\n%s\n\n",
                       a->sc->title.value ? a->sc->title.value : "(untitled)", a->sc->path,
                       a->sc->description.value && *a->sc->description.value
                           ? a->sc->description.value
                           : "(no description)");
    if (len > 0 && (size_t)len < sizeof text)
        snprintf(text + len, sizeof text - (size_t)len,
                 "The machine: %s layout (%u-bit virtual addresses, %u levels, %" PRIu64
                 "-byte pages); %" PRIu32 " frames%s; %" PRIu32 " swap slots; a TLB of %" PRIu32
                 " entries, %" PRIu32 "-way, %s%s; the %s replacement policy.",
                 g->name, g->va_bits, g->levels, geometry_page_size(g), frames_total(&m->pool),
                 m->pool.table_frames ? " (some kept for page tables)" : "", m->swap.nslots,
                 m->tlb.sets * m->tlb.ways, m->tlb.ways, tlb_replacement_names[m->tlb.replacement],
                 m->tlb.asid_tags ? ", with ASID tags" : ", without ASIDs",
                 policy_name(m->policy.ops->kind));
    int total = draw_wrap_rows(in.w, text);
    int max_scroll = total > in.h ? total - in.h : 0;
    if (a->info_scroll > max_scroll)
        a->info_scroll = max_scroll;
    draw_wrap_skip(in, 0, ROLE_OVERLAY, text, a->info_scroll);
    overlay_scroll_footer(box, max_scroll > 0);
}

unsigned screen_info_key(struct app *a, int key)
{
    int delta = 0;
    switch (keys_lookup_in(KEYS_SCROLL, key)) {
    case ACTION_LINE_DOWN: delta = 1; break;
    case ACTION_PAGE_DOWN: delta = OVERLAY_PAGE; break;
    case ACTION_LINE_UP: delta = -1; break;
    case ACTION_PAGE_UP: delta = -OVERLAY_PAGE; break;
    default:
        if (keys_lookup(key) == ACTION_QUIT)
            return app_ask_quit(a);
        return screens_switch(a, SCREEN_COUNT);
    }
    /* The draw clamps it at the end of the text. */
    a->info_scroll += delta;
    if (a->info_scroll < 0)
        a->info_scroll = 0;
    return APP_HANDLED | APP_REDRAW;
}
