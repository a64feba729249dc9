#ifndef VMVIZ_UTIL_GROW_H
#define VMVIZ_UTIL_GROW_H
/* Arrays that grow by doubling, for lists whose length is known only as
 * they are read. */
#include <stdbool.h>
#include <stddef.h>

/* Makes *array, of *cap elements of `size` bytes, hold at least `need`:
 * reallocated to double its capacity (64 elements at first) as often as
 * needed, *cap updated. false, *array and *cap unchanged, when the host
 * refuses the memory. */
bool array_grow(void **array, size_t *cap, size_t need, size_t size);

#endif
