/* What a click on the main screen opened: a frame (what it holds, who maps
 * it), a TLB entry or a swap slot, as the machine has it now. Any key
 * closes it. */
#include <inttypes.h>
#include <stdio.h>

#include "tui/app.h"
#include "tui/keys.h"
#include "tui/screens.h"

/* Mappings of a frame listed one by one, at most; the lines a window
 * holds (a frame's, with that many mappings, fit); its narrowest. */
#define DETAILS_MAX_MAPS 6
#define DETAILS_MAX_LINES 16
#define DETAILS_MIN_COLS 30

void screen_details_init(struct app *a)
{
    (void)a;
}

static void details_frame(const struct machine *m, uint32_t f, char lines[][128], size_t *n)
{
    const struct frame *fr = frames_at(&m->pool, f);
    size_t k = 0;
    snprintf(lines[k++], 128, "Frame %" PRIu32 ": %s", f, frame_kind_text((enum frame_kind)fr->kind));
    snprintf(lines[k++], 128, "physical addresses 0x%" PRIx64 " - 0x%" PRIx64,
             (uint64_t)f * geometry_page_size(&m->cfg.geo),
             (uint64_t)(f + 1) * geometry_page_size(&m->cfg.geo) - 1);
    if (fr->kind != FRAME_FREE) {
        if (fr->owner_pid == VM_KERNEL_PID)
            snprintf(lines[k++], 128, "the kernel's: shared by every process, never evicted");
        else if (fr->owner_pid != EV_NONE)
            snprintf(lines[k++], 128, "allocated for pid %" PRIu32, fr->owner_pid);
        if (fr->kind == FRAME_KERNEL)
            snprintf(lines[k++], 128, "backs the kernel's page at VA 0x%" PRIx64,
                     fr->object_page << m->cfg.geo.page_shift);
        if (fr->kind == FRAME_TABLE)
            snprintf(lines[k++], 128, "page table of level %d (%s)", fr->table_level,
                     fr->table_level >= 0
                         ? geometry_level_name(&m->cfg.geo, fr->table_level) : "?");
        if (fr->object < m->nobjects)
            snprintf(lines[k++], 128, "page %" PRIu64 " of %s '%s' (page cache)", fr->object_page,
                     m->objects[fr->object].anonymous ? "shared memory" : "file",
                     m->objects[fr->object].name);
        if (fr->compound)
            snprintf(lines[k++], 128, "part of a huge page (%s frame)",
                     fr->compound == FRAME_HEAD ? "first" : "a following");
        snprintf(lines[k++], 128, "dirty: %s   referenced (Accessed): %s   mappings: %" PRIu32,
                 machine_frame_dirty(m, f) ? "yes" : "no",
                 machine_frame_referenced(m, f) ? "yes" : "no", fr->nmaps);
        for (uint32_t i = 0; i < fr->nmaps && i < DETAILS_MAX_MAPS; i++)
            snprintf(lines[k++], 128, "  mapped by pid %" PRIu32 " at VA 0x%" PRIx64,
                     fr->maps[i].pid, fr->maps[i].vpn << m->cfg.geo.page_shift);
        snprintf(lines[k++], 128, "content loaded at machine step %" PRIu64, fr->loaded_at);
    }
    *n = k;
}

static void details_tlb(const struct machine *m, uint32_t i, char lines[][128], size_t *n)
{
    const struct tlb_entry *t = &m->tlb.entries[i];
    size_t k = 0;
    snprintf(lines[k++], 128, "TLB set %" PRIu32 ", way %" PRIu32, i / m->tlb.ways, i % m->tlb.ways);
    if (!t->valid) {
        snprintf(lines[k++], 128, "empty (invalid): holds no translation");
    } else {
        snprintf(lines[k++], 128, "ASID %u%s", t->asid, t->global ? " (global: every ASID)" : "");
        snprintf(lines[k++], 128, "virtual page 0x%" PRIx64 " (VA 0x%" PRIx64 ")", t->vpn,
                 t->vpn << t->span_shift);
        snprintf(lines[k++], 128, "-> frame %" PRIu32 " (PA 0x%" PRIx64 ")", t->frame,
                 (uint64_t)t->frame << m->cfg.geo.page_shift);
        snprintf(lines[k++], 128, "writable %s, dirty %s, executable %s, user mode %s",
                 t->writable ? "yes" : "no", t->dirty ? "yes" : "no", t->nx ? "no" : "yes",
                 t->user ? "allowed" : "refused (U/S clear)");
        snprintf(lines[k++], 128, "last %s at TLB clock %" PRIu64,
                 m->tlb.replacement == TLB_FIFO ? "filled" : "used", t->stamp);
    }
    *n = k;
}

void screen_details_draw(struct app *a)
{
    const struct machine *m = timeline_machine(a->tl);
    char lines[DETAILS_MAX_LINES][128];
    size_t n = 0;
    const char *title = "Details";
    if (a->detail.kind == HIT_FRAME && a->detail.index < frames_total(&m->pool)) {
        details_frame(m, a->detail.index, lines, &n);
        title = "Frame";
    } else if (a->detail.kind == HIT_TLB && a->detail.index < m->tlb.sets * m->tlb.ways) {
        details_tlb(m, a->detail.index, lines, &n);
        title = "TLB entry";
    } else if (a->detail.kind == HIT_SWAP && a->detail.index < m->swap.nslots) {
        const struct swap_slot *sl = swap_at(&m->swap, a->detail.index);
        title = "Swap slot";
        snprintf(lines[n++], 128, "Swap slot %" PRIu32, a->detail.index);
        if (sl->used)
            snprintf(lines[n++], 128, "holds page 0x%" PRIx64 " of pid %" PRIu32, sl->vpn, sl->pid);
        else
            snprintf(lines[n++], 128, "free");
    }
    int width = DETAILS_MIN_COLS;
    for (size_t i = 0; i < n; i++)
        if (draw_width(lines[i]) > width)
            width = draw_width(lines[i]);
    struct rect box = overlay_box_around(width, (int)n);
    draw_box(box, ROLE_OVERLAY, title);
    struct rect in = overlay_inside(box, OVERLAY_PAD);
    for (size_t i = 0; i < n; i++)
        draw_text(in, (int)i, 0, i == 0 ? ROLE_KEYHINT : ROLE_OVERLAY, lines[i]);
    overlay_footer(box, " any key closes ");
}

unsigned screen_details_key(struct app *a, int key)
{
    if (keys_lookup(key) == ACTION_QUIT)
        return app_ask_quit(a);
    return screens_switch(a, SCREEN_COUNT);
}
