/* The reference simulator: one process, a trace of page writes, the TLB
 * vmviz models (set-associative, LRU within a set, looked up again when a
 * faulting access restarts), a 4-level walk over tables allocated on
 * demand, frames taken lowest first and one of four replacement policies
 * deciding as vmviz's do (the same tie-breaks), nothing else: no events,
 * no snapshots, no text. It is what `make bench` divides vmviz's time by,
 * and its counters must equal vmviz's, or the comparison means nothing. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reference.h"

#define TLB_SETS 16u
#define TLB_WAYS 4u
#define LEVELS   4u
#define ENTRIES  512u
#define MAX_TABLES 4u
#define NONE UINT32_MAX

struct tlb_entry {
    uint64_t vpn, stamp;
    bool valid;
};

struct sim {
    struct tlb_entry tlb[TLB_SETS * TLB_WAYS];
    uint64_t tlb_clock;
    /* tables[t][i]: the next level's table (levels 0-2) or the leaf's frame
     * plus one (level 3, 0 when not present); table 0 is the root. */
    uint32_t tables[MAX_TABLES][ENTRIES];
    uint32_t ntables;
    uint32_t frame_page[REF_FRAMES]; /* NONE when free */
    uint64_t frame_key[REF_FRAMES];  /* FIFO: load; LRU: last use; OPT: next use */
    uint64_t frame_stamp[REF_FRAMES]; /* OPT: load order, the tie-break */
    bool accessed[REF_PAGES];         /* the leaf entry's Accessed bit */
    bool touched[REF_PAGES];          /* written before: its copy is in swap */
    uint32_t hand;
    uint64_t now, loads;
    struct ref_counters c;
};

static int tlb_find(const struct sim *s, uint64_t vpn)
{
    uint32_t set = (uint32_t)(vpn % TLB_SETS);
    for (uint32_t w = 0; w < TLB_WAYS; w++) {
        const struct tlb_entry *e = &s->tlb[set * TLB_WAYS + w];
        if (e->valid && e->vpn == vpn)
            return (int)(set * TLB_WAYS + w);
    }
    return -1;
}

/* A free way first, else the least recently used one of the set. */
static void tlb_fill(struct sim *s, uint64_t vpn)
{
    struct tlb_entry *row = &s->tlb[(vpn % TLB_SETS) * TLB_WAYS];
    uint32_t way = TLB_WAYS;
    for (uint32_t w = 0; w < TLB_WAYS && way == TLB_WAYS; w++)
        if (!row[w].valid)
            way = w;
    if (way == TLB_WAYS) {
        way = 0;
        for (uint32_t w = 1; w < TLB_WAYS; w++)
            if (row[w].stamp < row[way].stamp)
                way = w;
    }
    row[way] = (struct tlb_entry){.vpn = vpn, .stamp = ++s->tlb_clock, .valid = true};
}

static unsigned index_at(uint64_t vpn, unsigned level)
{
    return (unsigned)(vpn >> (9 * (LEVELS - 1 - level))) % ENTRIES;
}

/* The leaf entry of vpn; with create, the tables on the way are allocated
 * (a fault does that before it maps the page). NULL when one is missing. */
static uint32_t *walk(struct sim *s, uint64_t vpn, bool create)
{
    uint32_t t = 0;
    for (unsigned level = 0; level + 1 < LEVELS; level++) {
        uint32_t *slot = &s->tables[t][index_at(vpn, level)];
        if (*slot == 0) {
            if (!create || s->ntables == MAX_TABLES)
                return NULL;
            *slot = s->ntables++;
            s->c.table_allocs++;
        }
        t = *slot;
    }
    return &s->tables[t][index_at(vpn, LEVELS - 1)];
}

static uint32_t choose(struct sim *s, enum ref_policy policy)
{
    uint32_t victim = 0;
    switch (policy) {
    case REF_FIFO:
    case REF_LRU:
        for (uint32_t f = 1; f < REF_FRAMES; f++)
            if (s->frame_key[f] < s->frame_key[victim])
                victim = f;
        return victim;
    case REF_OPT:
        for (uint32_t f = 1; f < REF_FRAMES; f++)
            if (s->frame_key[f] > s->frame_key[victim] ||
                (s->frame_key[f] == s->frame_key[victim] &&
                 s->frame_stamp[f] < s->frame_stamp[victim]))
                victim = f;
        return victim;
    case REF_CLOCK:
        /* Clearing Accessed leaves the TLB alone, as x86 does. */
        for (;;) {
            uint32_t f = s->hand;
            s->hand = (s->hand + 1) % REF_FRAMES;
            if (!s->accessed[s->frame_page[f]])
                return f;
            s->accessed[s->frame_page[f]] = false;
        }
    }
    return victim;
}

static void fault(struct sim *s, uint32_t page, uint64_t vpn, enum ref_policy policy)
{
    s->c.faults++;
    if (s->touched[page]) {
        s->c.major_faults++;
        s->c.swap_ins++;
    } else {
        s->c.minor_faults++;
        s->c.zero_fills++;
        s->touched[page] = true;
    }
    uint32_t *leaf = walk(s, vpn, true);
    uint32_t frame = NONE;
    for (uint32_t f = 0; f < REF_FRAMES && frame == NONE; f++)
        if (s->frame_page[f] == NONE)
            frame = f;
    if (frame == NONE) {
        /* Every page was written, so each victim goes to swap. */
        frame = choose(s, policy);
        uint32_t old = s->frame_page[frame];
        uint64_t old_vpn = vpn - page + old;
        *walk(s, old_vpn, false) = 0;
        int i = tlb_find(s, old_vpn);
        if (i >= 0)
            s->tlb[i].valid = false;
        s->c.evictions++;
        s->c.swap_outs++;
    }
    s->frame_page[frame] = page;
    *leaf = frame + 1;
    s->accessed[page] = false;
    s->frame_key[frame] = policy == REF_OPT ? UINT64_MAX : ++s->now;
    s->frame_stamp[frame] = ++s->loads;
}

bool ref_run(const uint32_t *pages, size_t n, uint64_t base, enum ref_policy policy,
             struct ref_counters *out)
{
    struct sim *s = calloc(1, sizeof *s);
    uint32_t *next = NULL;
    if (s == NULL)
        return false;
    if (policy == REF_OPT) {
        uint32_t seen[REF_PAGES];
        next = malloc((n ? n : 1) * sizeof *next);
        if (next == NULL) {
            free(s);
            return false;
        }
        for (uint32_t p = 0; p < REF_PAGES; p++)
            seen[p] = NONE;
        for (size_t i = n; i-- > 0;) {
            next[i] = seen[pages[i]];
            seen[pages[i]] = (uint32_t)i;
        }
    }
    memset(s->frame_page, 0xff, sizeof s->frame_page);
    s->ntables = 1;
    s->c.table_allocs = 1;
    uint64_t vbase = base >> 12;
    for (size_t i = 0; i < n; i++) {
        uint32_t page = pages[i];
        uint64_t vpn = vbase + page;
        s->c.accesses++;
        s->c.writes++;
        uint32_t frame;
        for (;;) {
            int t = tlb_find(s, vpn);
            if (t >= 0) {
                s->c.tlb_hits++;
                s->tlb[t].stamp = ++s->tlb_clock;
                uint32_t *leaf = walk(s, vpn, false);
                frame = *leaf - 1;
                break;
            }
            s->c.tlb_misses++;
            s->c.page_walks++;
            uint32_t *leaf = walk(s, vpn, false);
            if (leaf != NULL && *leaf != 0) {
                frame = *leaf - 1;
                s->accessed[page] = true;
                tlb_fill(s, vpn);
                break;
            }
            fault(s, page, vpn, policy);
        }
        if (policy == REF_LRU)
            s->frame_key[frame] = ++s->now;
        else if (policy == REF_OPT)
            s->frame_key[frame] = next[i] == NONE ? UINT64_MAX : next[i];
    }
    *out = s->c;
    free(next);
    free(s);
    return true;
}

size_t ref_read_trace(const char *path, uint64_t base, uint32_t **pages)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return 0;
    size_t n = 0, cap = 0;
    uint32_t *out = NULL;
    char line[128];
    bool ok = true;
    while (ok && fgets(line, sizeof line, fp) != NULL) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char *end;
        unsigned long long va = strtoull(line + 2, &end, 16);
        uint64_t page = (va - base) >> 12;
        if (line[0] != 'W' || end == line + 2 || va < base || page >= REF_PAGES) {
            ok = false;
            break;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            uint32_t *grown = realloc(out, cap * sizeof *out);
            if (grown == NULL) {
                ok = false;
                break;
            }
            out = grown;
        }
        out[n++] = (uint32_t)page;
    }
    fclose(fp);
    if (!ok || n == 0) {
        free(out);
        return 0;
    }
    *pages = out;
    return n;
}
