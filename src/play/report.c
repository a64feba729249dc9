/* Headless reports. See report.h. */
#include "play/report.h"

#include <inttypes.h>
#include <string.h>

#include "play/narrate.h"
#include "util/escape.h"

/* Bytes of a narration a report prints, NUL included: a longer sentence
 * (a say or chapter text near SCENARIO_MAX_STRING) is cut there in the
 * text and in JSON's "narration"; JSON's "text" holds the whole. */
#define REPORT_NARRATION_MAX 512

const char *const report_format_names[] = {
#define REPORT_FORMAT_NAME(id, name) [REPORT_##id] = name,
    REPORT_FORMAT_INFO(REPORT_FORMAT_NAME)
#undef REPORT_FORMAT_NAME
    NULL
};

const char *const report_level_names[] = {
#define REPORT_LEVEL_NAME(name, unit) name,
    REPORT_LEVEL_INFO(REPORT_LEVEL_NAME)
#undef REPORT_LEVEL_NAME
    NULL
};

const enum tl_unit report_level_units[] = {
#define REPORT_LEVEL_UNIT(name, unit) unit,
    REPORT_LEVEL_INFO(REPORT_LEVEL_UNIT)
#undef REPORT_LEVEL_UNIT
};

void json_string(FILE *out, const char *s)
{
    json_bytes(out, s, s ? strlen(s) : 0);
}

void json_bytes(FILE *out, const char *s, size_t len)
{
    fputc('"', out);
    for (size_t i = 0; i < len;) {
        struct escape_unit u = escape_next(s + i, len - i);
        if (u.kind == ESCAPE_PLAIN) {
            if (s[i] == '"' || s[i] == '\\')
                fputc('\\', out);
            fwrite(s + i, 1, u.bytes, out);
        } else if (u.kind == ESCAPE_INVALID) {
            /* JSON text is Unicode: a stray byte can only be replaced. */
            fputs("\\ufffd", out);
        } else {
            switch (u.code) {
            case '\b': fputs("\\b", out); break;
            case '\f': fputs("\\f", out); break;
            case '\n': fputs("\\n", out); break;
            case '\r': fputs("\\r", out); break;
            case '\t': fputs("\\t", out); break;
            default: fprintf(out, "\\u%04x", (unsigned)u.code); break;
            }
        }
        i += u.bytes;
    }
    fputc('"', out);
}

/* One line of text output: untrusted words in it (say texts, names) are
 * shown in their visible form, so the line is one line and moves no
 * cursor. */
static void text_line(FILE *out, const char *text)
{
    escape_fputs(text, out);
    fputc('\n', out);
}

void reporter_init(struct reporter *r, FILE *out, enum report_format format, enum tl_unit level,
                   const struct machine *m)
{
    memset(r, 0, sizeof *r);
    r->out = out;
    r->format = format;
    r->level = level;
    r->op_start = m->counters;
}

static const char *step_name(const struct tl_event *e)
{
    return e->step ? step_kind_name(e->step->kind) : "";
}

static void json_field_u(FILE *out, const char *key, uint64_t v)
{
    fprintf(out, ",\"%s\":%" PRIu64, key, v);
}

/* One JSON object for e; extra, when not NULL, is a fragment of further
 * members (",\"k\":v...") placed before the narration. */
static void json_event(struct reporter *r, const struct tl_event *e, const struct machine *m,
                       const char *extra)
{
    FILE *out = r->out;
    char text[REPORT_NARRATION_MAX];
    narrate(e, m, text, sizeof text);
    fprintf(out, "{\"position\":%" PRIu64 ",\"step\":%" PRIu64, e->position, e->op_seq);
    fprintf(out, ",\"line\":%u", e->step ? e->step->pos.line : 0);
    fprintf(out, ",\"op\":");
    json_string(out, step_name(e));
    if (e->kind == TL_MACHINE) {
        const struct event *ev = &e->ev;
        fprintf(out, ",\"event\":");
        json_string(out, event_name(ev->kind));
        unsigned fields = event_fields(ev->kind);
        if (ev->pid != EV_NONE)
            json_field_u(out, "pid", ev->pid);
        if (fields & EVF_ACCESS) {
            fprintf(out, ",\"access\":\"%s\"", access_kind_name(ev->access));
            if (ev->kernel)
                fputs(",\"kernel\":true", out);
            json_field_u(out, "va", ev->va);
            json_field_u(out, "vpn", ev->vpn);
        } else if (fields & EVF_RANGE) {
            json_field_u(out, "va", ev->va);
            json_field_u(out, "size", ev->size);
        }
        if (ev->level >= 0)
            json_field_u(out, "level", (uint64_t)ev->level);
        if (ev->index != EV_NONE)
            json_field_u(out, fields & EVF_SET ? "set" : "index", ev->index);
        if (ev->way != EV_NONE)
            json_field_u(out, "way", ev->way);
        if (ev->huge_set != EV_NONE)
            json_field_u(out, "huge_set", ev->huge_set);
        if ((fields & EVF_FRAMES) && ev->size > 1)
            json_field_u(out, "frames", ev->size);
        if (fields & EVF_ENTRY)
            json_field_u(out, "entry", ev->entry);
        if (ev->frame != EV_NONE)
            json_field_u(out, "frame", ev->frame);
        if (ev->slot != EV_NONE)
            json_field_u(out, "slot", ev->slot);
        if (ev->victim != EV_NONE)
            json_field_u(out, "victim", ev->victim);
        if (ev->other_pid != EV_NONE) {
            json_field_u(out, "victim_pid", ev->other_pid);
            if (fields & EVF_VPN_OTHER)
                json_field_u(out, "victim_vpn", ev->other_vpn);
        }
        if (fields & EVF_CODE)
            json_field_u(out, "error_code", ev->fault_code);
        if (fields & EVF_FAULT) {
            fprintf(out, ",\"fault\":");
            json_string(out, fault_kind_name((enum fault_kind)ev->fault_kind));
        }
        if (fields & EVF_PA)
            json_field_u(out, "pa", ev->pa);
        if (ev->detail[0]) {
            fprintf(out, ",\"detail\":");
            json_string(out, ev->detail);
        }
    } else {
        static const char *const kinds[] = {
#define TL_KIND_NAME(id, name) name,
            TL_KIND_LIST(TL_KIND_NAME)
#undef TL_KIND_NAME
        };
        fprintf(out, ",\"event\":");
        json_string(out, kinds[e->kind]);
        if (e->text) {
            fprintf(out, ",\"text\":");
            json_string(out, e->text);
        }
        if (e->kind == TL_EXPECT) {
            fprintf(out, ",\"ok\":%s,\"checks\":[", e->failed ? "false" : "true");
            for (unsigned i = 0; i < e->nchecks; i++) {
                const struct tl_check *c = &e->checks[i];
                fprintf(out, "%s{\"counter\":\"%s\",\"relative\":%s,\"expected\":%" PRId64
                             ",\"actual\":%" PRId64 ",\"ok\":%s}",
                        i ? "," : "", counter_name(c->counter), c->relative ? "true" : "false",
                        (int64_t)c->expected, (int64_t)c->actual, c->ok ? "true" : "false");
            }
            fputc(']', out);
        }
    }
    if (extra)
        fputs(extra, out);
    fprintf(out, ",\"narration\":");
    json_string(out, text);
    fputs("}\n", out);
}

/* The counters that changed during the operation, as "name +N" pairs. */
static void op_summary(struct reporter *r, const struct tl_event *e, const struct machine *m)
{
    const struct counters *now = &m->counters;
    if (r->format == REPORT_JSON) {
        fprintf(r->out, "{\"position\":%" PRIu64 ",\"step\":%" PRIu64 ",\"line\":%u,\"op\":",
                e->position, e->op_seq, e->step ? e->step->pos.line : 0);
        json_string(r->out, step_name(e));
        fprintf(r->out, ",\"event\":\"op_done\",\"changes\":{");
        bool first = true;
        for (int i = 0; i < COUNTER_COUNT; i++) {
            uint64_t d = counter_get(now, (enum counter_id)i) -
                         counter_get(&r->op_start, (enum counter_id)i);
            if (!d)
                continue;
            fprintf(r->out, "%s\"%s\":%" PRIu64, first ? "" : ",", counter_name((enum counter_id)i), d);
            first = false;
        }
        fputs("}}\n", r->out);
        return;
    }
    fprintf(r->out, "step %" PRIu64 " (line %u) %s:", e->op_seq, e->step ? e->step->pos.line : 0,
            step_name(e));
    bool any = false;
    for (int i = 0; i < COUNTER_COUNT; i++) {
        uint64_t d = counter_get(now, (enum counter_id)i) - counter_get(&r->op_start, (enum counter_id)i);
        if (!d)
            continue;
        fprintf(r->out, " %s +%" PRIu64, counter_name((enum counter_id)i), d);
        any = true;
    }
    fprintf(r->out, "%s\n", any ? "" : " no counter changed");
}

/* One line per access: its outcome. */
static void access_line(struct reporter *r, const struct tl_event *e, const struct machine *m)
{
    const struct event *ev = &e->ev;
    if (r->format == REPORT_JSON) {
        /* What the whole access went through, as the text line says it. */
        char extra[96];
        snprintf(extra, sizeof extra, ",\"tlb\":\"%s\",\"faulted\":%s,\"fault_kind\":\"%s\"",
                 r->tlb_hit ? "hit" : "miss", r->faulted ? "true" : "false",
                 fault_kind_name(r->faulted ? (enum fault_kind)r->fault_kind : FAULT_NONE));
        json_event(r, e, m, extra);
        return;
    }
    fprintf(r->out, "pid %u %s%s 0x%" PRIx64, ev->pid, ev->kernel ? "kernel " : "",
            access_kind_name(ev->access), ev->va);
    /* A trace record's page after its first is the same access going on. */
    char part[64];
    narrate_page_part(e, part, sizeof part);
    fputs(part, r->out);
    if (ev->kind == EV_ACCESS_DONE)
        fprintf(r->out, " -> 0x%" PRIx64 " (%s%s%s)\n", ev->pa, r->tlb_hit ? "TLB hit" : "TLB miss",
                r->faulted ? ", fault: " : "",
                r->faulted ? fault_kind_name((enum fault_kind)r->fault_kind) : "");
    else {
        char text[REPORT_NARRATION_MAX];
        narrate(e, m, text, sizeof text);
        fputs(": ", r->out);
        text_line(r->out, text);
    }
}

/* The event as one line: its JSON object, or its sentence. */
static void print_event(struct reporter *r, const struct tl_event *e, const struct machine *m)
{
    if (r->format == REPORT_JSON) {
        json_event(r, e, m, NULL);
        return;
    }
    char text[REPORT_NARRATION_MAX];
    narrate(e, m, text, sizeof text);
    text_line(r->out, text);
}

/* When the chapter that ends carries Linux's counts: one line with them
 * and the model's change over the chapter. */
static void chapter_end(struct reporter *r, const struct machine *m)
{
    const struct scenario_step *st = r->chapter;
    r->chapter = NULL;
    if (!st || !st->u.text.linux_minor.present)
        return;
    uint64_t minor = m->counters.minor_faults - r->chapter_start.minor_faults;
    uint64_t major = m->counters.major_faults - r->chapter_start.major_faults;
    if (r->format == REPORT_JSON) {
        fputs("{\"event\":\"linux_counts\",\"chapter\":", r->out);
        json_string(r->out, st->u.text.text.value);
        fprintf(r->out, ",\"linux_minor_faults\":%" PRIu64 ",\"linux_major_faults\":%" PRIu64
                ",\"minor_faults\":%" PRIu64 ",\"major_faults\":%" PRIu64 "}\n",
                st->u.text.linux_minor.value, st->u.text.linux_major.value, minor, major);
        return;
    }
    fputs("Chapter ", r->out);
    escape_fputs(st->u.text.text.value, r->out);
    fprintf(r->out, ": Linux counted +%" PRIu64 " minor and +%" PRIu64
            " major faults; the model +%" PRIu64 " and +%" PRIu64 "\n",
            st->u.text.linux_minor.value, st->u.text.linux_major.value, minor, major);
}

void reporter_finish(struct reporter *r, const struct machine *m)
{
    chapter_end(r, m);
}

void report_linux_totals(FILE *out, enum report_format format, const struct scenario *s)
{
    uint64_t minor = 0, major = 0;
    bool any = false;
    for (size_t i = 0; i < s->step_count; i++) {
        const struct scenario_step *st = &s->steps[i];
        if (st->kind != STEP_CHAPTER || !st->u.text.linux_minor.present)
            continue;
        any = true;
        minor += st->u.text.linux_minor.value;
        major += st->u.text.linux_major.value;
    }
    if (!any)
        return;
    if (format == REPORT_JSON)
        fprintf(out, "{\"linux_minor_faults\":%" PRIu64 ",\"linux_major_faults\":%" PRIu64
                "}\n", minor, major);
    else
        fprintf(out, "%-13s %" PRIu64 "\n%-13s %" PRIu64 "\n", "linux_minor", minor,
                "linux_major", major);
}

void reporter_event(struct reporter *r, const struct tl_event *e, const struct machine *m)
{
    if (e->kind == TL_CHAPTER) {
        chapter_end(r, m);
        r->chapter = e->step;
        r->chapter_start = m->counters;
    }
    if (r->level == TL_UNIT_EVENT) {
        print_event(r, e, m);
        return;
    }
    bool play_item = e->kind != TL_MACHINE;
    if (r->level == TL_UNIT_ACCESS) {
        if (e->kind == TL_MACHINE) {
            if (e->ev.kind == EV_ACCESS_BEGIN) {
                r->tlb_hit = false;
                r->faulted = false;
            } else if (e->ev.kind == EV_TLB_HIT && !r->faulted) {
                r->tlb_hit = true;
            } else if (e->ev.kind == EV_FAULT_CLASSIFIED) {
                r->faulted = true;
                r->fault_kind = e->ev.fault_kind;
            }
            if (!e->ends_access)
                return;
            bool is_access = e->ev.kind == EV_ACCESS_DONE || e->ev.kind == EV_SEGFAULT ||
                             (e->ev.kind == EV_OOM_KILL && e->ev.access <= ACCESS_EXEC &&
                              e->step && e->step->kind != STEP_MMAP);
            if (is_access) {
                access_line(r, e, m);
                return;
            }
        }
        print_event(r, e, m);
        return;
    }
    /* Operation level: scenario items as they come, machine work summed. */
    if (play_item && e->kind != TL_EXPECT) {
        print_event(r, e, m);
        r->op_start = m->counters;
        return;
    }
    if (!e->ends_op)
        return;
    if (e->kind == TL_EXPECT) {
        print_event(r, e, m);
    } else {
        op_summary(r, e, m);
    }
    r->op_start = m->counters;
}

void report_counter_members(FILE *out, const struct counters *c)
{
    for (int i = 0; i < COUNTER_COUNT; i++)
        fprintf(out, "%s\"%s\":%" PRIu64, i ? "," : "", counter_name((enum counter_id)i),
                counter_get(c, (enum counter_id)i));
}

void report_stats(FILE *out, enum report_format format, const struct counters *c)
{
    if (format == REPORT_JSON) {
        fputc('{', out);
        report_counter_members(out, c);
        fputs("}\n", out);
        return;
    }
    for (int i = 0; i < COUNTER_COUNT; i++)
        fprintf(out, "%-13s %" PRIu64 "\n", counter_name((enum counter_id)i),
                counter_get(c, (enum counter_id)i));
}
