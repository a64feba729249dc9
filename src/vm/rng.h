#ifndef VMVIZ_VM_RNG_H
#define VMVIZ_VM_RNG_H
/* splitmix64: a tiny, seedable generator, so that random replacement is the
 * same on every machine for the same seed. The state is one integer, which
 * makes snapshots and digests trivial. */
#include <stdint.h>

static inline uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* A number in [0, n), n > 0. */
static inline uint64_t rng_below(uint64_t *state, uint64_t n)
{
    return rng_next(state) % n;
}

/* FNV-1a over bytes, chained through *h: the digest of machine states. */
static inline void digest_bytes(uint64_t *h, const void *data, unsigned long len)
{
    const unsigned char *p = data;
    for (unsigned long i = 0; i < len; i++) {
        *h ^= p[i];
        *h *= UINT64_C(0x100000001B3);
    }
}

static inline void digest_u64(uint64_t *h, uint64_t v)
{
    digest_bytes(h, &v, sizeof v);
}

#define DIGEST_INIT UINT64_C(0xCBF29CE484222325)

#endif
