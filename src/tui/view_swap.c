/* Swap: its slots, whose page each holds, and the one being written (an
 * eviction) or read (a swap-in). */
#include <inttypes.h>
#include <stdio.h>

#include "tui/view.h"

void view_swap_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    const struct swap_area *sw = &s->m->swap;
    char extra[64];
    snprintf(extra, sizeof extra, "%" PRIu32 " slots, %" PRIu32 " used", sw->nslots, sw->used);
    r = view_frame(v, r, PANEL_SWAP, extra);
    if (!rect_ok(r))
        return;
    if (sw->nslots == 0) {
        draw_text(r, 0, 0, ROLE_DIM, r.w >= 44 ? "no swap: anonymous pages cannot be evicted" : "no swap configured");
        return;
    }
    if (s->io_slot != EV_NONE && r.h >= 2) {
        const struct swap_slot *sl = &sw->slots[s->io_slot];
        draw_textf(r, r.h - 1, 0, ROLE_SWAP_IO, "%s slot %" PRIu32 " (pid %" PRIu32 " page %" PRIx64 ")",
                   s->io_write ? "writing" : "reading", s->io_slot, sl->pid, sl->vpn);
        r.h--;
    }
    /* Rich cells "3:p1 401" when they fit, else one character a slot. */
    int rich_w = 13, per_rich = (r.w + 1) / (rich_w + 1);
    bool rich = per_rich > 0 && (int)((sw->nslots + (uint32_t)per_rich - 1) / (uint32_t)per_rich) <= r.h;
    int cw = rich ? rich_w : 1;
    int per_row = rich ? per_rich : r.w;
    int total_rows = (int)((sw->nslots + (uint32_t)per_row - 1) / (uint32_t)per_row);
    int first_row = 0;
    if (total_rows > r.h) {
        if (v->focused && v->scroll)
            first_row = *v->scroll;
        else if (s->io_slot != EV_NONE)
            first_row = (int)s->io_slot / per_row - r.h / 2;
        if (first_row > total_rows - r.h)
            first_row = total_rows - r.h;
        if (first_row < 0)
            first_row = 0;
        if (v->scroll)
            *v->scroll = first_row;
    }
    for (int row = 0; row < r.h; row++)
        for (int col = 0; col < per_row; col++) {
            uint32_t i = (uint32_t)((first_row + row) * per_row + col);
            if (i >= sw->nslots)
                break;
            const struct swap_slot *sl = &sw->slots[i];
            enum role role = i == s->io_slot ? ROLE_SWAP_IO : sl->used ? ROLE_SWAP_USED : ROLE_EMPTY;
            char text[32];
            if (rich && sl->used)
                snprintf(text, sizeof text, "%" PRIu32 ":p%" PRIu32 " %" PRIx64, i, sl->pid, sl->vpn);
            else if (rich)
                snprintf(text, sizeof text, "%" PRIu32 ":-", i);
            else
                snprintf(text, sizeof text, "%c", sl->used ? (sl->pid < 10 ? (char)('0' + sl->pid) : '#') : '.');
            int x = col * (cw + (rich ? 1 : 0));
            draw_field(r, row, x, cw, role, text);
            hits_add(v->hits, (struct rect){r.y + row, r.x + x, 1, cw}, HIT_SWAP, i);
        }
}
