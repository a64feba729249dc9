/* The terminal's owner: the only place curses starts and ends.
 *
 * Restoring the terminal must work from a fatal signal handler, where
 * curses cannot be called. So term_open saves the tty modes and the
 * terminfo strings that undo the screen (leave the alternate screen, show
 * the cursor, reset attributes, keypad off, mouse off) into static memory,
 * and the handler only write()s them and calls tcsetattr(), both
 * async-signal-safe, before raising the signal again.
 *
 * Recording: ncurses writes its output with write() on the descriptor of
 * the stream newterm was given, and sets the tty modes and reads the
 * window size through that same descriptor. So a recorded terminal hands
 * newterm a duplicate of stdout, lets curses set the modes through it,
 * then puts a temporary file under that descriptor (dup2): from then on
 * curses writes into the file, and term_update copies what it wrote to
 * the terminal and to the sink, then empties the file. No thread, no
 * pipe to fill up, and the screen gets exactly the bytes the recording
 * holds. The window size can no longer be read through curses'
 * descriptor, so a recorded terminal catches SIGWINCH itself (before
 * newterm, which then leaves it alone) and resizes curses from stdout's
 * size. Before endwin the terminal goes back under the descriptor. */
#include "tui/term.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <term.h>

#include "util/fdio.h"

static SCREEN *screen;
static FILE *headless_out, *headless_in;
static bool headless;
static int color_count;
static attr_t role_attrs[ROLE_COUNT];

static volatile sig_atomic_t quit_flag;

/* A recorded terminal (see the top of this file): the sink, the file
 * curses writes into, and on a real terminal the descriptor curses holds
 * (a duplicate of stdout, the file put under it) and its stream. */
static const struct term_sink *sink;
static FILE *capture;
static int curses_fd = -1;
static FILE *curses_out;
static off_t pumped;       /* bytes of the capture file already handed on */
static char *pump_buf;
static size_t pump_cap;
static volatile sig_atomic_t winch_flag;
static struct sigaction old_winch;
static bool winch_installed;

/* For the fatal-signal path: filled before anything can go wrong. */
static struct termios saved_tty;
static bool saved_tty_valid;
static char restore_seq[256];
static size_t restore_len;

static const int quit_signals[] = {SIGINT, SIGTERM, SIGHUP};
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define NQUIT (sizeof quit_signals / sizeof quit_signals[0])
#define NFATAL (sizeof fatal_signals / sizeof fatal_signals[0])
static struct sigaction old_quit[NQUIT], old_fatal[NFATAL];
static bool handlers_installed;

static void on_quit_signal(int sig)
{
    quit_flag = sig;
}

/* Restores the tty with async-signal-safe calls only. */
static void restore_tty_raw(void)
{
    if (restore_len) {
        ssize_t w = write(STDOUT_FILENO, restore_seq, restore_len);
        (void)w;
    }
    if (saved_tty_valid)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
}

static void on_fatal_signal(int sig)
{
    restore_tty_raw();
    /* Put back whatever handled it before (the default, or a sanitizer's
     * reporter) and raise it again: it is delivered once we return. */
    for (size_t i = 0; i < NFATAL; i++)
        if (fatal_signals[i] == sig)
            sigaction(sig, &old_fatal[i], NULL);
    raise(sig);
}

static void install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a blocking getch must return so the loop sees the flag. */
    sa.sa_handler = on_quit_signal;
    for (size_t i = 0; i < NQUIT; i++)
        sigaction(quit_signals[i], &sa, &old_quit[i]);
    sa.sa_handler = on_fatal_signal;
    for (size_t i = 0; i < NFATAL; i++)
        sigaction(fatal_signals[i], &sa, &old_fatal[i]);
    handlers_installed = true;
}

static void remove_handlers(void)
{
    if (!handlers_installed)
        return;
    for (size_t i = 0; i < NQUIT; i++)
        sigaction(quit_signals[i], &old_quit[i], NULL);
    for (size_t i = 0; i < NFATAL; i++)
        sigaction(fatal_signals[i], &old_fatal[i], NULL);
    handlers_installed = false;
}

static void on_winch_signal(int sig)
{
    (void)sig;
    winch_flag = 1;
}

/* Only for a recorded real terminal: installed before newterm, so that
 * ncurses keeps its own handler out (it would read the size through its
 * descriptor, which is then the capture file). */
static void install_winch_handler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_winch_signal;
    sigaction(SIGWINCH, &sa, &old_winch);
    winch_installed = true;
}

static void remove_winch_handler(void)
{
    if (winch_installed)
        sigaction(SIGWINCH, &old_winch, NULL);
    winch_installed = false;
    winch_flag = 0;
}

static void append_cap(const char *cap)
{
    char *s = tigetstr(cap);
    if (s == NULL || s == (char *)-1)
        return;
    size_t n = strlen(s);
    /* Padding such as $<5> is harmless on modern terminals; skip caps that
     * would not fit rather than cut one in half. */
    if (restore_len + n < sizeof restore_seq) {
        memcpy(restore_seq + restore_len, s, n);
        restore_len += n;
    }
}

static void save_restore_sequence(void)
{
    restore_len = 0;
    append_cap("sgr0");
    append_cap("cnorm");
    append_cap("rmkx");
    /* xterm mouse reporting off: the modes ncurses may have turned on. */
    static const char mouse_off[] = "\033[?1006l\033[?1002l\033[?1000l";
    if (has_mouse() && restore_len + sizeof mouse_off < sizeof restore_seq) {
        memcpy(restore_seq + restore_len, mouse_off, sizeof mouse_off - 1);
        restore_len += sizeof mouse_off - 1;
    }
    append_cap("rmcup");
}

static void setup_screen(void)
{
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    leaveok(stdscr, TRUE);
    color_count = 0;
    if (has_colors() && start_color() == OK) {
        use_default_colors();
        color_count = COLORS >= 256 ? 256 : COLORS >= 8 ? 8 : 0;
    }
    for (int i = 0; i < ROLE_COUNT; i++)
        role_attrs[i] = A_NORMAL;
}

/* Whether terminfo describes `term` as a screen the viewer can draw on:
 * one that can put the cursor anywhere (cup). TERM=dumb, a printing
 * terminal or an emacs shell buffer cannot. Only the description is read;
 * the terminal itself is not touched. */
static bool term_type_usable(const char *term, char *why, size_t why_len)
{
    int status = 0;
    if (setupterm((char *)term, STDOUT_FILENO, &status) != OK) {
        snprintf(why, why_len, "cannot use the terminal type '%s' (expected one terminfo knows)",
                 term);
        return false;
    }
    const char *cup = tigetstr("cup");
    bool addressable = cup != NULL && cup != (char *)-1;
    del_curterm(cur_term);
    if (!addressable)
        snprintf(why, why_len,
                 "the terminal type '%s' cannot move the cursor, which the viewer needs "
                 "(for headless playback use 'vmviz run')",
                 term);
    return addressable;
}

/* Hands what curses wrote into the capture file since the last time to
 * the terminal (a real one) and to the sink, then empties the file. */
static void pump_capture(void)
{
    if (!capture)
        return;
    int fd = fileno(capture);
    off_t end = lseek(fd, 0, SEEK_CUR);
    if (end <= pumped)
        return;
    size_t need = (size_t)(end - pumped);
    if (need > pump_cap) {
        char *grown = realloc(pump_buf, need);
        if (grown) {
            pump_buf = grown;
            pump_cap = need;
        }
    }
    /* Out of memory for one piece: several smaller ones, as many as it
     * takes (the sink reassembles characters cut between them). */
    char small[4096];
    char *buf = pump_cap ? pump_buf : small;
    size_t cap = pump_cap ? pump_cap : sizeof small;
    for (size_t at = 0; at < need;) {
        size_t want = need - at < cap ? need - at : cap;
        ssize_t got = pread(fd, buf, want, pumped + (off_t)at);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        if (!headless)
            fd_write_all(STDOUT_FILENO, buf, (size_t)got);
        if (sink)
            sink->output(sink->ctx, buf, (size_t)got);
        at += (size_t)got;
    }
    /* Emptied, the file stays small however long the session; should
     * that fail, reading goes on from where it got to. */
    pumped = ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0 ? 0 : end;
}

/* A resize a recorded real terminal's SIGWINCH asked for: curses takes
 * stdout's new size and the sink is told. KEY_RESIZE, or 0 when none. */
static int take_resize(void)
{
    if (!winch_flag)
        return 0;
    winch_flag = 0;
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0)
        return 0;
    resizeterm(ws.ws_row, ws.ws_col);
    if (sink && sink->resize)
        sink->resize(sink->ctx, ws.ws_col, ws.ws_row);
    return KEY_RESIZE;
}

/* Makes the temporary file curses' output is captured in. */
static bool start_capture(char *why, size_t why_len)
{
    capture = tmpfile();
    if (!capture) {
        snprintf(why, why_len, "cannot make a temporary file for the recording: %s",
                 strerror(errno));
        return false;
    }
    return true;
}

static void end_capture(void)
{
    if (capture)
        fclose(capture);
    capture = NULL;
    free(pump_buf);
    pump_buf = NULL;
    pump_cap = 0;
    pumped = 0;
    sink = NULL;
}

bool term_open(char *why, size_t why_len)
{
    return term_open_recorded(NULL, why, why_len);
}

bool term_open_recorded(const struct term_sink *to, char *why, size_t why_len)
{
    if (screen)
        return true;
    /* The terminal type first: it is what the user can change, and a
     * terminal that is refused is left exactly as it was. */
    const char *term = getenv("TERM");
    if (term == NULL || *term == '\0') {
        snprintf(why, why_len, "TERM is not set (expected a terminal type such as xterm-256color)");
        return false;
    }
    if (!term_type_usable(term, why, why_len))
        return false;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(why, why_len,
                 "the interactive viewer needs a terminal on stdin and stdout "
                 "(for text output use 'vmviz run')");
        return false;
    }
    if (to) {
        if (!start_capture(why, why_len))
            return false;
        curses_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
        curses_out = curses_fd >= 0 ? fdopen(curses_fd, "w") : NULL;
        if (!curses_out) {
            snprintf(why, why_len, "cannot record the terminal: %s", strerror(errno));
            term_close();
            return false;
        }
    }
    setlocale(LC_CTYPE, "");
    saved_tty_valid = tcgetattr(STDIN_FILENO, &saved_tty) == 0;
    quit_flag = 0;
    /* Before newterm: ncurses then leaves SIGINT and SIGTERM to us. */
    install_handlers();
    if (to)
        install_winch_handler();
    screen = newterm(NULL, to ? curses_out : stdout, stdin);
    if (!screen) {
        remove_handlers();
        term_close();
        snprintf(why, why_len, "cannot use the terminal type '%s' (expected one terminfo knows)",
                 term);
        return false;
    }
    set_term(screen);
    headless = false;
    setup_screen();
    mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    mouseinterval(0);
    save_restore_sequence();
    if (to) {
        /* The modes are set: from here on curses only writes. */
        if (dup2(fileno(capture), curses_fd) < 0) {
            snprintf(why, why_len, "cannot record the terminal: %s", strerror(errno));
            term_close();
            return false;
        }
        sink = to;
        /* The recording must replay on its own: it starts with a whole
         * screen, not with changes to one it does not hold. */
        clearok(curscr, TRUE);
    }
    return true;
}

bool term_open_headless(int cols, int rows, int colors, char *why, size_t why_len)
{
    return term_open_headless_recorded(cols, rows, colors, NULL, why, why_len);
}

bool term_open_headless_recorded(int cols, int rows, int colors, const struct term_sink *to,
                                 char *why, size_t why_len)
{
    if (screen)
        return true;
    if (to && !start_capture(why, why_len))
        return false;
    headless_out = to ? NULL : fopen("/dev/null", "w");
    headless_in = fopen("/dev/null", "r");
    if ((!to && !headless_out) || !headless_in) {
        snprintf(why, why_len, "cannot open /dev/null: %s", strerror(errno));
        term_close();
        return false;
    }
    const char *types[3];
    size_t ntypes = 0;
    if (colors >= 256)
        types[ntypes++] = "xterm-256color";
    if (colors >= 8)
        types[ntypes++] = "xterm";
    types[ntypes++] = "vt100";
    for (size_t i = 0; i < ntypes && !screen; i++)
        screen = newterm(types[i], to ? capture : headless_out, headless_in);
    if (!screen) {
        snprintf(why, why_len, "no terminfo entry for xterm or vt100");
        term_close();
        return false;
    }
    set_term(screen);
    headless = true;
    setup_screen();
    resizeterm(rows, cols);
    if (to) {
        /* What curses wrote setting up is no part of a screen: passed
         * over before the sink is set. */
        pump_capture();
        sink = to;
        clearok(curscr, TRUE);
    }
    return true;
}

void term_close(void)
{
    if (screen) {
        /* The recording ends with the last screen drawn: what endwin
         * sends (leaving the alternate screen) reaches the terminal only. */
        pump_capture();
        sink = NULL;
        if (curses_fd >= 0 && !headless)
            dup2(STDOUT_FILENO, curses_fd);
        if (!headless) {
            mousemask(0, NULL);
            curs_set(1);
        }
        endwin();
        delscreen(screen);
        screen = NULL;
        if (!headless)
            remove_handlers();
    }
    remove_winch_handler();
    if (curses_out)
        fclose(curses_out);
    else if (curses_fd >= 0)
        close(curses_fd);
    curses_out = NULL;
    curses_fd = -1;
    end_capture();
    if (headless_out)
        fclose(headless_out);
    if (headless_in)
        fclose(headless_in);
    headless_out = headless_in = NULL;
    restore_len = 0;
    saved_tty_valid = false;
}

bool term_is_open(void)
{
    return screen != NULL;
}

void term_resize(int cols, int rows)
{
    if (screen)
        resizeterm(rows, cols);
}

void term_size(int *cols, int *rows)
{
    *cols = screen ? COLS : 0;
    *rows = screen ? LINES : 0;
}

int term_colors(void)
{
    return color_count;
}

static attr_t attrs_of(unsigned a)
{
    attr_t r = A_NORMAL;
    if (a & THEME_ATTR_BOLD)
        r |= A_BOLD;
    if (a & THEME_ATTR_DIM)
        r |= A_DIM;
    if (a & THEME_ATTR_ITALIC)
        r |= A_ITALIC;
    if (a & THEME_ATTR_REVERSE)
        r |= A_REVERSE;
    if (a & THEME_ATTR_STANDOUT)
        r |= A_STANDOUT;
    if (a & THEME_ATTR_UNDERLINE)
        r |= A_UNDERLINE;
    return r;
}

void term_apply_theme(const struct theme *t)
{
    enum theme_form form = color_count >= 256 ? THEME_FORM_256
                           : color_count >= 8 ? THEME_FORM_8
                                              : THEME_FORM_MONO;
    for (int i = 0; i < ROLE_COUNT; i++) {
        attr_t a = attrs_of(t->styles[i].attrs);
        /* "-" is already resolved: normal's foreground, the theme's
         * background; what is left at -1 is the terminal's own. */
        short fg, bg;
        theme_colors(t, (enum role)i, form, &fg, &bg);
        if (color_count > 0 && (fg >= 0 || bg >= 0) && i + 1 < COLOR_PAIRS) {
            init_pair((short)(i + 1), fg, bg);
            a |= COLOR_PAIR(i + 1);
        }
        role_attrs[i] = a;
    }
    /* The page: every cell no role draws shows the theme's background (and
     * normal's foreground), so the theme does not depend on the terminal's
     * own colours. A theme with "background - -" (mono) leaves them be. The
     * pair after the roles' is the page's (normal's own when the terminal
     * has too few pairs); only its colour goes into the background, so
     * bold or reverse of normal do not spread to blank cells. */
    short fg, bg;
    theme_colors(t, ROLE_NORMAL, form, &fg, &bg);
    bg = form == THEME_FORM_256 ? t->bg256 : form == THEME_FORM_8 ? t->bg8 : -1;
    int page = ROLE_COUNT + 1;
    chtype blank = ' ';
    if (color_count > 0 && (fg >= 0 || bg >= 0)) {
        if (page < COLOR_PAIRS) {
            init_pair((short)page, fg, bg);
            blank |= COLOR_PAIR(page);
        } else {
            blank |= role_attrs[ROLE_NORMAL] & A_COLOR;
        }
    }
    wbkgd(stdscr, blank);
}

attr_t term_role_attr(enum role role)
{
    return (unsigned)role < ROLE_COUNT ? role_attrs[role] : A_NORMAL;
}

void term_update(void)
{
    doupdate();
    pump_capture();
}

int term_read_key(int timeout_ms)
{
    /* Whatever curses sent since the last update reaches the screen
     * before the program waits. */
    pump_capture();
    if (quit_flag)
        return TERM_KEY_QUIT;
    int resized = take_resize();
    if (resized)
        return resized;
    wtimeout(stdscr, timeout_ms);
    int key = wgetch(stdscr);
    if (quit_flag)
        return TERM_KEY_QUIT;
    if (key == ERR && (resized = take_resize()) != 0)
        return resized;
    return key;
}

int term_quit_signal(void)
{
    return (int)quit_flag;
}

/* Line-drawing characters as plain ASCII, for golden files. */
static char acs_ascii(wchar_t c)
{
    switch (c) {
    case 'q': return '-';
    case 'x': return '|';
    case 'l': case 'k': case 'm': case 'j':
    case 't': case 'u': case 'v': case 'w': case 'n': return '+';
    case '~': return 'o';
    case 'a': return '#';
    default: return '?';
    }
}

/* Box-drawing code points (when drawn as Unicode) as ASCII. */
static char box_ascii(wchar_t c)
{
    if (c == 0x2500 || c == 0x2501)
        return '-';
    if (c == 0x2502 || c == 0x2503)
        return '|';
    if (c >= 0x250c && c <= 0x254b)
        return '+';
    return 0;
}

static size_t put_utf8(char *buf, size_t size, size_t at, wchar_t wc)
{
    unsigned char tmp[4];
    size_t n;
    unsigned long c = (unsigned long)wc;
    if (c < 0x80) {
        tmp[0] = (unsigned char)c;
        n = 1;
    } else if (c < 0x800) {
        tmp[0] = (unsigned char)(0xc0 | (c >> 6));
        tmp[1] = (unsigned char)(0x80 | (c & 0x3f));
        n = 2;
    } else if (c < 0x10000) {
        tmp[0] = (unsigned char)(0xe0 | (c >> 12));
        tmp[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
        tmp[2] = (unsigned char)(0x80 | (c & 0x3f));
        n = 3;
    } else {
        tmp[0] = (unsigned char)(0xf0 | (c >> 18));
        tmp[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
        tmp[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
        tmp[3] = (unsigned char)(0x80 | (c & 0x3f));
        n = 4;
    }
    for (size_t i = 0; i < n; i++)
        if (at + i + 1 < size)
            buf[at + i] = (char)tmp[i];
    return n;
}

size_t term_dump(char *buf, size_t size)
{
    size_t at = 0;
    if (!screen) {
        if (size)
            buf[0] = '\0';
        return 0;
    }
    for (int y = 0; y < LINES; y++) {
        for (int x = 0; x < COLS; x++) {
            cchar_t cc;
            wchar_t wch[CCHARW_MAX + 1] = {0};
            attr_t attrs = 0;
            short pair = 0;
            if (mvwin_wch(stdscr, y, x, &cc) == ERR ||
                getcchar(&cc, wch, &attrs, &pair, NULL) == ERR || wch[0] == 0)
                wch[0] = ' ';
            wchar_t c = wch[0];
            char ascii = 0;
            if (attrs & A_ALTCHARSET)
                ascii = acs_ascii(c);
            else
                ascii = box_ascii(c);
            if (ascii)
                c = (wchar_t)ascii;
            at += put_utf8(buf, size, at, c);
        }
        if (at + 1 < size)
            buf[at] = '\n';
        at++;
    }
    if (size)
        buf[at < size ? at : size - 1] = '\0';
    return at;
}

int term_role_at(int y, int x)
{
    if (!screen)
        return -1;
    chtype ch = mvwinch(stdscr, y, x);
    attr_t a = ch & (A_ATTRIBUTES & ~A_ALTCHARSET);
    for (int i = 0; i < ROLE_COUNT; i++)
        if (role_attrs[i] == a)
            return i;
    return -1;
}
