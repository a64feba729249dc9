#ifndef VMVIZ_PLAY_NARRATE_H
#define VMVIZ_PLAY_NARRATE_H
/* Narration: one or two plain sentences saying what an event did and why,
 * for a student who has never seen a page-table walk. The TUI and the text
 * report print the same sentences. */
#include <stddef.h>

#include "play/timeline.h"
#include "vm/machine.h"

/* Writes the sentence for e (as the machine stands after it) into buf and
 * returns its length (truncated to len - 1). */
size_t narrate(const struct tl_event *e, const struct machine *m, char *buf, size_t len);

#endif
