/* Swap: its slots, whose page each holds, and the one being written (an
 * eviction) or read (a swap-in). Rich cells "3:p1 heap+0x2" when every
 * slot fits that way, else one character a slot (the owner's pid, '.' for
 * a free slot), each row led by its first slot's number. */
#include <inttypes.h>
#include <stdio.h>

#include "tui/view.h"

static void slot_label(const struct machine *m, uint32_t i, char *buf, size_t len)
{
    const struct swap_slot *sl = swap_at(&m->swap, i);
    if (!sl->used) {
        snprintf(buf, len, "%" PRIu32 ":-", i);
        return;
    }
    if (sl->pid == EV_NONE) {
        snprintf(buf, len, "%" PRIu32 ":shared", i);
        return;
    }
    char page[80];
    view_page_label(m, sl->pid, sl->vpn, page, sizeof page);
    snprintf(buf, len, "%" PRIu32 ":p%" PRIu32 " %s", i, sl->pid, page);
}

static char slot_glyph(const struct swap_slot *sl)
{
    if (!sl->used)
        return '.';
    if (sl->pid == EV_NONE)
        return 'm';
    return sl->pid < 10 ? (char)('0' + sl->pid) : '#';
}

int view_swap_want(const struct scene *s, int width, bool compact)
{
    (void)compact;
    uint32_t nslots = s->m->swap.nslots;
    if (nslots == 0)
        return 1 + 1; /* the title, "no swap" */
    /* The title, the line of the slot being read or written, and the
     * slots a character each: a row per width of them, and one for the
     * rest and the rows' labels. */
    return 1 + 1 + (int)(nslots / (uint32_t)(width > 1 ? width : 1)) + 1;
}

void view_swap_draw(const struct view_ctx *v, struct rect r)
{
    const struct scene *s = v->s;
    const struct machine *m = s->m;
    const struct swap_area *sw = &m->swap;
    char extra[64];
    snprintf(extra, sizeof extra, "%" PRIu32 " slots, %" PRIu32 " used", sw->nslots, sw->used);
    r = view_frame(v, r, PANEL_SWAP, extra);
    if (!rect_ok(r))
        return;
    if (sw->nslots == 0) {
        if (!draw_whole(r, 0, 0, ROLE_DIM, "no swap: anonymous pages cannot be evicted"))
            draw_whole(r, 0, 0, ROLE_DIM, "no swap configured");
        return;
    }
    if (s->io_slot != EV_NONE && r.h >= 2) {
        char label[128], forms[2][160];
        slot_label(m, s->io_slot, label, sizeof label);
        static const char *const verbs[] = {
#define SCENE_IO_VERB(id, verb) verb,
            SCENE_IO_LIST(SCENE_IO_VERB)
#undef SCENE_IO_VERB
        };
        const char *verb = verbs[s->io];
        snprintf(forms[0], sizeof forms[0], "%s slot %s", verb, label);
        snprintf(forms[1], sizeof forms[1], "%s slot %" PRIu32, verb, s->io_slot);
        if (!draw_whole(r, r.h - 1, 0, ROLE_SWAP_IO, forms[0]))
            draw_whole(r, r.h - 1, 0, ROLE_SWAP_IO, forms[1]);
        r.h--;
    }
    /* Rich cells when every slot fits that way. */
    int rich_w = 0;
    for (uint32_t i = 0; i < sw->nslots && (uint64_t)sw->nslots <= (uint64_t)r.w * (uint64_t)r.h;
         i++) {
        char label[128];
        slot_label(m, i, label, sizeof label);
        if (draw_width(label) > rich_w)
            rich_w = draw_width(label);
    }
    int per_rich = rich_w ? (r.w + 1) / (rich_w + 1) : 0;
    bool rich = per_rich > 0 &&
                (int)((sw->nslots + (uint32_t)per_rich - 1) / (uint32_t)per_rich) <= r.h;
    int nd = view_digits(sw->nslots - 1);
    int label_w = rich ? 0 : nd + 1;
    int cw = rich ? rich_w : 1;
    int gap = rich ? 1 : 0;
    int per_row = rich ? per_rich : r.w - label_w;
    if (per_row < 1)
        return;
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
    for (int row = 0; row < r.h; row++) {
        uint32_t row_first = (uint32_t)(first_row + row) * (uint32_t)per_row;
        if (row_first >= sw->nslots)
            break;
        if (!rich)
            draw_wholef(r, row, 0, ROLE_DIM, "%*" PRIu32, nd, row_first);
        for (int col = 0; col < per_row; col++) {
            uint32_t i = row_first + (uint32_t)col;
            if (i >= sw->nslots)
                break;
            const struct swap_slot *sl = swap_at(sw, i);
            enum role role = i == s->io_slot ? ROLE_SWAP_IO : sl->used ? ROLE_SWAP_USED : ROLE_EMPTY;
            char text[128];
            if (rich)
                slot_label(m, i, text, sizeof text);
            else
                snprintf(text, sizeof text, "%c", slot_glyph(sl));
            int x = label_w + col * (cw + gap);
            draw_field(r, row, x, cw, role, text);
            hits_add(v->hits, (struct rect){r.y + row, r.x + x, 1, cw}, HIT_SWAP, i);
        }
    }
}
