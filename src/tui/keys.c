/* The key map: lookup, names, hints and the help generated from one
 * table. */
#include "tui/keys.h"

#include <stdio.h>
#include <string.h>

struct binding {
    enum keys_map map;
    struct keys_hint_spec hint;
    const char *help;
    int keys[KEYS_MAX_PER_ACTION + 1];
};

static const struct binding bindings[ACTION_TOTAL] = {
#define KEY_ACTION_ROW(map, id, hint, help, ...) \
    [ACTION_##id] = {KEYS_##map, hint, help, {__VA_ARGS__, 0}},
    KEY_ACTION_LIST(KEY_ACTION_ROW)
#undef KEY_ACTION_ROW
};

/* The viewer's rows come first, so that ACTION_COUNT counts them. */
#define KEY_ACTION_CHECK(map, id, ...)                                             \
    _Static_assert(((int)ACTION_##id < (int)ACTION_COUNT) == KEYS_IS_VIEWER_##map, \
                   "KEY_ACTION_LIST: the VIEWER rows come first");
KEY_ACTION_LIST(KEY_ACTION_CHECK)
#undef KEY_ACTION_CHECK

enum key_action keys_lookup_in(enum keys_map map, int key)
{
    if (key == 0)
        return ACTION_NONE;
    for (int a = 0; a < ACTION_TOTAL; a++)
        if (bindings[a].map == map)
            for (const int *k = bindings[a].keys; *k; k++)
                if (*k == key)
                    return (enum key_action)a;
    return ACTION_NONE;
}

enum key_action keys_lookup(int key)
{
    return keys_lookup_in(KEYS_VIEWER, key);
}

const char *keys_help(enum key_action action)
{
    return (unsigned)action < ACTION_TOTAL ? bindings[action].help : "";
}

const int *keys_of(enum key_action action)
{
    static const int none[1] = {0};
    return (unsigned)action < ACTION_TOTAL ? bindings[action].keys : none;
}

/* Special keys by name, both for display and for key scripts. */
static const struct {
    int key;
    const char *name;
} key_names[] = {
    {' ', "Space"},         {'\t', "Tab"},         {KEY_BTAB, "S-Tab"},
    {'\n', "Enter"},        {KEY_ENTER, "KEnter"}, {KEYS_ESC, "Esc"},
    {KEY_RIGHT, "Right"},   {KEY_LEFT, "Left"},    {KEY_UP, "Up"},
    {KEY_DOWN, "Down"},     {KEY_NPAGE, "PgDn"},   {KEY_PPAGE, "PgUp"},
    {KEY_HOME, "Home"},     {KEY_END, "End"},      {KEY_BACKSPACE, "BkSp"},
    {KEY_RESIZE, "Resize"}, {KEY_MOUSE, "Mouse"},  {KEY_F(5), "F5"},
    {KEY_F(17), "S-F5"},     {KEY_DC, "Del"},
};

const char *keys_name(int key, char *buf, size_t size)
{
    for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
        if (key_names[i].key == key) {
            snprintf(buf, size, "%s", key_names[i].name);
            return buf;
        }
    if (key > 0 && key < 32)
        snprintf(buf, size, "^%c", key + '@');
    else if (key >= 32 && key < 127)
        snprintf(buf, size, "%c", key);
    else
        snprintf(buf, size, "#%d", key);
    return buf;
}

struct key_name keys_named(int key)
{
    struct key_name n;
    keys_name(key, n.s, sizeof n.s);
    return n;
}

struct key_name keys_first(enum key_action action)
{
    int key = keys_of(action)[0];
    if (key == 0)
        return (struct key_name){""};
    return keys_named(key);
}

size_t keys_hints(enum keys_bar bar, struct keys_hint *out, size_t max)
{
    int last = 0;
    for (int a = 0; a < ACTION_TOTAL; a++)
        if ((bindings[a].hint.bars & bar) && bindings[a].hint.order > last)
            last = bindings[a].hint.order;
    size_t n = 0;
    for (int order = 1; order <= last && n < max; order++) {
        struct keys_hint *h = &out[n];
        size_t used = 0;
        h->keys[0] = '\0';
        h->label = NULL;
        /* The rows of one hint in table order: the labelled one, then the
         * joined ones, each after its separator. */
        for (int a = 0; a < ACTION_TOTAL; a++) {
            const struct keys_hint_spec *spec = &bindings[a].hint;
            if (!(spec->bars & bar) || spec->order != order)
                continue;
            if (!spec->join)
                h->label = spec->text;
            if (used < sizeof h->keys)
                used += (size_t)snprintf(h->keys + used, sizeof h->keys - used, "%s%s",
                                         spec->join ? spec->text : "",
                                         keys_first((enum key_action)a).s);
        }
        if (h->label)
            n++;
    }
    return n;
}

size_t keys_help_lines(char lines[][128], size_t max)
{
    for (int a = 0; a < ACTION_COUNT && (size_t)a < max; a++) {
        char keys[64] = "";
        size_t used = 0;
        for (const int *k = bindings[a].keys; *k && used < sizeof keys; k++) {
            char name[KEYS_NAME_MAX];
            /* KEnter and BkSp duplicate Enter and h: keep the help short. */
            if (*k == KEY_ENTER || *k == KEY_BACKSPACE)
                continue;
            used += (size_t)snprintf(keys + used, sizeof keys - used, "%s%s", used ? " " : "",
                                     keys_name(*k, name, sizeof name));
        }
        snprintf(lines[a], 128, "%-*s %s", KEYS_HELP_KEYS_WIDTH, keys, bindings[a].help);
    }
    return ACTION_COUNT;
}

int keys_parse_script(const char *script, int *out, size_t max, size_t *bad_at)
{
    size_t n = 0, i = 0, len = strlen(script);
    while (i < len) {
        while (i < len && (script[i] == ' ' || script[i] == '\n' || script[i] == '\t'))
            i++;
        if (i >= len)
            break;
        size_t start = i;
        while (i < len && script[i] != ' ' && script[i] != '\n' && script[i] != '\t')
            i++;
        size_t wlen = i - start;
        const char *w = script + start;
        int key = -1;
        if (wlen == 1) {
            key = (unsigned char)w[0];
        } else if (wlen > 2 && w[0] == '<' && w[wlen - 1] == '>') {
            const char *name = w + 1;
            size_t nlen = wlen - 2;
            for (size_t k = 0; k < sizeof key_names / sizeof key_names[0]; k++)
                if (strlen(key_names[k].name) == nlen && memcmp(key_names[k].name, name, nlen) == 0)
                    key = key_names[k].key;
            if (nlen == 3 && name[0] == 'C' && name[1] == '-' && name[2] >= 'a' && name[2] <= 'z')
                key = KEYS_CTRL(name[2]);
            if (nlen == 2 && name[0] == 'l' && name[1] == 't')
                key = '<';
            if (nlen == 2 && name[0] == 'g' && name[1] == 't')
                key = '>';
        }
        if (key < 0) {
            if (bad_at)
                *bad_at = start;
            return -1;
        }
        if (n < max)
            out[n] = key;
        n++;
    }
    return (int)(n < max ? n : max);
}
