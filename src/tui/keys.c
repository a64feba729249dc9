/* The key map: lookup, names and the help generated from one table. */
#include "tui/keys.h"

#include <stdio.h>
#include <string.h>

struct binding {
    const char *help;
    int keys[KEYS_MAX_PER_ACTION + 1];
};

static const struct binding bindings[ACTION_COUNT] = {
#define KEY_ACTION_ROW(id, help, ...) [ACTION_##id] = {help, {__VA_ARGS__, 0}},
    KEY_ACTION_LIST(KEY_ACTION_ROW)
#undef KEY_ACTION_ROW
};

enum key_action keys_lookup(int key)
{
    if (key == 0)
        return ACTION_NONE;
    for (int a = 0; a < ACTION_COUNT; a++)
        for (const int *k = bindings[a].keys; *k; k++)
            if (*k == key)
                return (enum key_action)a;
    return ACTION_NONE;
}

const char *keys_help(enum key_action action)
{
    return (unsigned)action < ACTION_COUNT ? bindings[action].help : "";
}

const int *keys_of(enum key_action action)
{
    static const int none[1] = {0};
    return (unsigned)action < ACTION_COUNT ? bindings[action].keys : none;
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
    {KEY_RESIZE, "Resize"}, {KEY_MOUSE, "Mouse"},
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

size_t keys_help_lines(char lines[][128], size_t max)
{
    for (int a = 0; a < ACTION_COUNT && (size_t)a < max; a++) {
        char keys[64] = "";
        size_t used = 0;
        for (const int *k = bindings[a].keys; *k && used < sizeof keys; k++) {
            char name[16];
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
