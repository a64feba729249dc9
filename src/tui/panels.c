/* The panels' table of operations, generated from PANEL_TABLE (view.h). */
#include "tui/view.h"

static const struct panel_ops table[PANEL_COUNT] = {
#define PANEL_OPS_ROW(id, title, brief, draw, want, scrolls) \
    [PANEL_##id] = {title, brief, draw, want, scrolls},
    PANEL_TABLE(PANEL_OPS_ROW)
#undef PANEL_OPS_ROW
};

const struct panel_ops *panel_ops(enum panel p)
{
    return &table[p];
}

const char *panel_title(enum panel p)
{
    return (unsigned)p < PANEL_COUNT ? table[p].title : "?";
}
