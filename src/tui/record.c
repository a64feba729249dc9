/* asciicast v2 recordings. See record.h. */
#include "tui/record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "play/report.h"
#include "tui/app.h"

#define WRITE_FAILED_FMT "cannot write the recording: %s (expected a writable file)"

static void note_error(struct recorder *r)
{
    if (r->error == 0 && ferror(r->out))
        r->error = errno ? errno : EIO;
}

static void sink_output(void *ctx, const char *bytes, size_t len)
{
    recorder_output(ctx, bytes, len);
}

static void sink_resize(void *ctx, int cols, int rows)
{
    recorder_resize(ctx, cols, rows);
}

static void recorder_init(struct recorder *r, FILE *out, const char *name)
{
    memset(r, 0, sizeof *r);
    r->out = out;
    r->name = name;
    r->sink = (struct term_sink){sink_output, sink_resize, r};
}

bool recorder_open(struct recorder *r, const char *path, struct diag *err)
{
    /* O_NONBLOCK: a FIFO with no reader is refused at once instead of
     * waiting; O_NOCTTY: a terminal named here does not become ours. The
     * file is not truncated yet: a run refused before it begins leaves an
     * existing file as it was. */
    int flags = O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
    int fd = open(path, flags | O_CREAT | O_EXCL, 0666);
    bool created = fd >= 0;
    if (fd < 0 && errno == EEXIST)
        fd = open(path, flags);
    if (fd < 0) {
        diag_set(err, path, 0, 0, WRITE_FAILED_FMT, strerror(errno));
        return false;
    }
    struct stat st;
    FILE *fp = NULL;
    if (fstat(fd, &st) != 0)
        diag_set(err, path, 0, 0, WRITE_FAILED_FMT, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        diag_set(err, path, 0, 0, "cannot write the recording: it is not a regular file "
                 "(expected a regular file)");
    else if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0
             || (fp = fdopen(fd, "w")) == NULL)
        diag_set(err, path, 0, 0, WRITE_FAILED_FMT, strerror(errno));
    if (!fp) {
        close(fd);
        if (created)
            unlink(path);
        return false;
    }
    recorder_init(r, fp, path);
    r->owns_out = true;
    r->created = created;
    return true;
}

void recorder_attach(struct recorder *r, FILE *out, const char *name)
{
    recorder_init(r, out, name);
    r->synthetic = true;
}

bool recorder_begin(struct recorder *r, int cols, int rows, const char *title,
                    const char *term)
{
    if (r->owns_out && ftruncate(fileno(r->out), 0) != 0 && r->error == 0)
        r->error = errno;
    fprintf(r->out, "{\"version\": 2, \"width\": %d, \"height\": %d, \"timestamp\": %lld",
            cols, rows, (long long)time(NULL));
    if (title) {
        fputs(", \"title\": ", r->out);
        json_string(r->out, title);
    }
    if (term) {
        fputs(", \"env\": {\"TERM\": ", r->out);
        json_string(r->out, term);
        fputc('}', r->out);
    }
    fputs("}\n", r->out);
    note_error(r);
    r->begun = true;
    r->start_ms = app_now_ms();
    return r->error == 0;
}

void recorder_set_time(struct recorder *r, double seconds)
{
    r->synthetic = true;
    r->now_s = seconds;
}

/* The time of the next event: the given one or the clock's, never before
 * the last one written. */
static double event_time(struct recorder *r)
{
    double t = r->synthetic ? r->now_s : (app_now_ms() - r->start_ms) / 1000.0;
    if (t < r->last_s)
        t = r->last_s;
    r->last_s = t;
    return t;
}

/* How many bytes at the end of s[0..len) start a UTF-8 character that
 * continues beyond it: 0 when the text ends on a whole character. */
static size_t cut_character(const char *s, size_t len)
{
    for (size_t back = 1; back <= 3 && back <= len; back++) {
        unsigned char b = (unsigned char)s[len - back];
        if ((b & 0xc0) == 0x80)
            continue;    /* a continuation byte: its lead is further back */
        size_t need = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 ? 2 : 1;
        if (b >= 0xf5)
            need = 1;
        return need > back ? back : 0;
    }
    return 0;
}

void recorder_output(struct recorder *r, const char *bytes, size_t len)
{
    if (!r->begun || len == 0)
        return;
    size_t total = r->npending + len;
    char *joined = malloc(total);
    if (!joined) {
        if (r->error == 0)
            r->error = ENOMEM;
        return;
    }
    memcpy(joined, r->pending, r->npending);
    memcpy(joined + r->npending, bytes, len);
    size_t held = cut_character(joined, total);
    size_t whole = total - held;
    memcpy(r->pending, joined + whole, held);
    r->npending = held;
    if (whole > 0) {
        fprintf(r->out, "[%.6f, \"o\", ", event_time(r));
        json_bytes(r->out, joined, whole);
        fputs("]\n", r->out);
        r->outputs++;
        note_error(r);
    }
    free(joined);
}

void recorder_resize(struct recorder *r, int cols, int rows)
{
    if (!r->begun)
        return;
    fprintf(r->out, "[%.6f, \"r\", \"%dx%d\"]\n", event_time(r), cols, rows);
    note_error(r);
}

const struct term_sink *recorder_sink(struct recorder *r)
{
    return &r->sink;
}

bool recorder_end(struct recorder *r, struct diag *err)
{
    if (r->begun && r->npending > 0) {
        /* A character the output never finished: JSON shows it as U+FFFD. */
        fprintf(r->out, "[%.6f, \"o\", ", event_time(r));
        json_bytes(r->out, r->pending, r->npending);
        fputs("]\n", r->out);
        r->outputs++;
        r->npending = 0;
    }
    if (fflush(r->out) != 0 && r->error == 0)
        r->error = errno ? errno : EIO;
    note_error(r);
    if (r->owns_out && fclose(r->out) != 0 && r->error == 0)
        r->error = errno ? errno : EIO;
    r->out = NULL;
    if (r->error) {
        diag_set(err, r->name, 0, 0, WRITE_FAILED_FMT, strerror(r->error));
        return false;
    }
    return true;
}

void recorder_abandon(struct recorder *r)
{
    if (r->owns_out && r->out)
        fclose(r->out);
    r->out = NULL;
    if (r->created)
        unlink(r->name);
}
