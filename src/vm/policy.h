#ifndef VMVIZ_VM_POLICY_H
#define VMVIZ_VM_POLICY_H
/* Page replacement policies behind one ops table.
 *
 * Call order, for every policy: init once; then, as the machine runs,
 * loaded() when a page is placed in a frame, accessed() after every access
 * that completes on a frame, tick() once per completed access, choose() when
 * a frame is needed and none is free, freed() when a frame stops holding a
 * page (evicted, unmapped, process exit); destroy at the end. clone and digest
 * serve snapshots. Policies see the machine only through policy_host, so
 * they read and clear Accessed bits the way a kernel would. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/chunked.h"
#include "vm/sentinel.h"

struct policy;

/* What a policy may ask of the machine about a frame. */
struct policy_host {
    void *ctx;
    /* True when any page-table entry mapping the frame has Accessed set. */
    bool (*referenced)(void *ctx, uint32_t frame);
    /* Clears Accessed in every entry mapping the frame; returns whether any
     * was set (what referenced said), so that a policy giving a second
     * chance asks once. The TLB keeps its entries, as x86 does (see
     * reclaim.c): until one leaves, its page's accesses do not set the bit. */
    bool (*clear_referenced)(void *ctx, uint32_t frame);
    /* True when the page in the frame has been written since it was loaded. */
    bool (*dirty)(void *ctx, uint32_t frame);
    /* True when the frame's page can be evicted now (not a page table, and
     * somewhere to put it if it is dirty). */
    bool (*evictable)(void *ctx, uint32_t frame);
};

#define POLICY_LIST(X)                                                            \
    X(fifo, "evict the page loaded longest ago")                                  \
    X(lru, "evict the page used longest ago (exact)")                             \
    X(clock, "second chance: the hand skips and clears pages whose Accessed bit is set") \
    X(opt, "Belady's optimal: evict the page used farthest in the future")       \
    X(random, "evict a page chosen at random (seeded)")                           \
    X(nru, "not recently used: lowest class of (Accessed, Dirty), Accessed cleared periodically") \
    X(linux, "two lists: inactive pages are reclaimed, referenced ones promoted to active")

enum policy_kind {
#define POLICY_ENUM(name, text) POLICY_##name,
    POLICY_LIST(POLICY_ENUM)
#undef POLICY_ENUM
    POLICY_COUNT
};

struct policy_ops {
    enum policy_kind kind;
    /* Names of the lists order() returns, the second NULL for one list. */
    const char *list_names[2];
    bool (*init)(struct policy *p);
    void (*destroy)(struct policy *p);
    bool (*clone)(struct policy *dst, const struct policy *src);
    void (*loaded)(struct policy *p, uint32_t frame);
    void (*accessed)(struct policy *p, uint32_t frame, uint64_t next_use);
    void (*freed)(struct policy *p, uint32_t frame);
    /* Picks a victim among the evictable frames, writing a one-line reason
     * into why (see policy_why: nothing when why_len is 0). Returns
     * VM_NO_FRAME when no frame is evictable. */
    uint32_t (*choose)(struct policy *p, const struct policy_host *host, char *why, size_t why_len);
    void (*tick)(struct policy *p, const struct policy_host *host);
    /* Frames in the policy's order (the next victim first where the policy
     * has one); *first_len is how many belong to the first list. */
    size_t (*order)(const struct policy *p, uint32_t *out, size_t max, size_t *first_len);
    void (*digest)(const struct policy *p, uint64_t *h);
    /* Bytes of the policy-specific state on the host (NULL: none). */
    uint64_t (*bytes)(const struct policy *p);
    /* How many frames order() returns at most (NULL: those of the two
     * lists). */
    size_t (*held)(const struct policy *p);
};

/* One frame's place in a frame_list. */
struct list_link {
    uint32_t prev, next;  /* VM_NO_FRAME = none */
    uint8_t member;       /* which list (0 = none, 1 or 2) */
};

/* A doubly linked list over frame numbers, shared by the list policies.
 * The links are kept per frame in a chunked array (vm/chunked.h): a frame
 * never listed costs nothing. */
struct frame_list {
    uint32_t head, tail, count;
    struct chunked links;  /* struct list_link per frame */
};

/* A set of frame numbers with O(1) add, remove and draw at random: items
 * holds the members densely (room for cap), pos[frame] their place
 * (UINT32_MAX: absent), kept per frame in a chunked array. */
struct frame_set {
    uint32_t count, cap;
    uint32_t *items;
    struct chunked pos;    /* uint32_t per frame */
};

struct policy {
    const struct policy_ops *ops;
    uint32_t nframes;       /* frames the policy may manage */
    uint64_t rng;           /* seeded, for random and nru */
    uint32_t nru_interval;  /* nru: accesses between Accessed-bit clears */
    uint64_t now;           /* accesses seen */
    uint32_t hand;          /* clock: the frame the hand points at */
    /* Set when the host refused memory the lists or the set needed: what
     * they hold is then incomplete, and the machine stops (see
     * machine_host_error). */
    bool refused;
    struct frame_list lists[2];
    struct frame_set set;   /* random: the loaded frames; nru: those referenced since the
                               last clear */
    void *state;            /* policy-specific extra state */
};

/* Sets up a policy of the given kind for nframes frames. */
bool policy_init(struct policy *p, enum policy_kind kind, uint32_t nframes, uint64_t seed,
                 uint32_t nru_interval);
void policy_destroy(struct policy *p);
bool policy_clone(struct policy *dst, const struct policy *src);
void policy_digest(const struct policy *p, uint64_t *h);
/* The bytes the policy's lists, set and state hold on the host. */
uint64_t policy_bytes(const struct policy *p);
/* How many frames the policy's order holds now (what order() returns with
 * room enough). */
size_t policy_held(const struct policy *p);

const char *policy_name(enum policy_kind kind);
const char *policy_description(enum policy_kind kind);
/* The kind of a policy name, or -1. */
int policy_lookup(const char *name);
extern const char *const policy_names[]; /* NULL-terminated */

/* The list helpers the list-based policies share. Adding to a list may
 * need memory for the frame's links: append and push_front return false
 * (and change nothing) when the host refused it. */
bool frame_list_init(struct frame_list *l, uint32_t nframes);
void frame_list_destroy(struct frame_list *l);
bool frame_list_clone(struct frame_list *dst, const struct frame_list *src);
bool frame_list_append(struct frame_list *l, uint32_t frame, uint8_t id);
bool frame_list_push_front(struct frame_list *l, uint32_t frame, uint8_t id);
void frame_list_remove(struct frame_list *l, uint32_t frame);
size_t frame_list_copy(const struct frame_list *l, uint32_t *out, size_t max);
void frame_list_digest(const struct frame_list *l, uint64_t *h);
uint64_t frame_list_bytes(const struct frame_list *l);

/* What a frame never listed reads as: no neighbours, in no list. */
extern const struct list_link frame_list_unlinked;

static inline const struct list_link *frame_list_link(const struct frame_list *l, uint32_t frame)
{
    const struct list_link *chunk = chunked_chunk(&l->links, frame);
    return chunk ? &chunk[frame & CHUNKED_MASK] : &frame_list_unlinked;
}

static inline bool frame_list_contains(const struct frame_list *l, uint32_t frame)
{
    return frame_list_link(l, frame)->member != 0;
}

/* The frame after (towards the tail) or before a listed frame, or
 * VM_NO_FRAME. */
static inline uint32_t frame_list_next(const struct frame_list *l, uint32_t frame)
{
    return frame_list_link(l, frame)->next;
}

static inline uint32_t frame_list_prev(const struct frame_list *l, uint32_t frame)
{
    return frame_list_link(l, frame)->prev;
}

/* The frame set's helpers (see struct frame_set). frame_set_add returns
 * false (and changes nothing) when the host refused the memory. */
bool frame_set_init(struct frame_set *s, uint32_t nframes);
void frame_set_destroy(struct frame_set *s);
bool frame_set_clone(struct frame_set *dst, const struct frame_set *src);
bool frame_set_add(struct frame_set *s, uint32_t frame);
void frame_set_remove(struct frame_set *s, uint32_t frame);
void frame_set_digest(const struct frame_set *s, uint64_t *h);
uint64_t frame_set_bytes(const struct frame_set *s);

/* The ops tables, one per policy file. */
#define POLICY_DECLARE(name, text) extern const struct policy_ops policy_##name##_ops;
POLICY_LIST(POLICY_DECLARE)
#undef POLICY_DECLARE

/* Writes a policy's reason for its choice into why, or nothing when
 * why_len is 0: the machine asks for no reason when nobody reads it
 * (machine_run_op). */
void policy_why(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
