/* Memory objects and their page cache. See object.h. */
#include "vm/object.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/rng.h"

bool object_init(struct vm_object *o, const char *name, uint64_t pages, bool anonymous)
{
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "%s", name);
    o->anonymous = anonymous;
    o->pages = pages;
    o->page = calloc(pages ? pages : 1, sizeof *o->page);
    return o->page != NULL;
}

void object_destroy(struct vm_object *o)
{
    free(o->page);
    o->page = NULL;
}

bool object_clone(struct vm_object *dst, const struct vm_object *src)
{
    *dst = *src;
    dst->page = malloc((src->pages ? src->pages : 1) * sizeof *dst->page);
    if (!dst->page)
        return false;
    memcpy(dst->page, src->page, src->pages * sizeof *dst->page);
    return true;
}

void object_digest(const struct vm_object *o, uint64_t *h)
{
    digest_bytes(h, o->name, strlen(o->name));
    digest_u64(h, o->pages | (uint64_t)o->anonymous << 63);
    for (uint64_t i = 0; i < o->pages; i++)
        if (o->page[i]) {
            digest_u64(h, i);
            digest_u64(h, o->page[i]);
        }
}
