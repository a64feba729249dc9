#ifndef VMVIZ_PLAY_NARRATE_H
#define VMVIZ_PLAY_NARRATE_H
/* Narration: one or two plain sentences saying what an event did and why,
 * for a student who has never seen a page-table walk. The TUI and the text
 * report print the same sentences. */
#include <stddef.h>
#include <stdint.h>

#include "play/timeline.h"
#include "vm/machine.h"

/* Writes the sentence for e (as the machine stands after it) into buf and
 * returns its length (truncated to len - 1). Nothing is kept: buf is the
 * caller's, and so are the sentences of the functions below. */
size_t narrate(const struct tl_event *e, const struct machine *m, char *buf, size_t len);

/* A page-fault error code in words: "0x6 = write, user mode, page not
 * present". Returns the length written. */
size_t narrate_fault_code(uint8_t code, char *buf, size_t len);

/* The access the timeline is in (or has just finished) as one line, each
 * thing it went through in order: "write 0x10010000: TLB miss > walk >
 * fault (zero fill) > evict frame 0 (lru) > to swap slot 0 > ... > done,
 * PA 0x0". Returns 0 (and writes "") when the newest operation in the log
 * is not an access. */
size_t narrate_access(const struct timeline *tl, char *buf, size_t len);

/* For the access of a trace record's page after its first, " (page N of
 * the same B-byte write)" (the size left out when unknown) into buf;
 * otherwise an empty string. Returns the length written (as snprintf,
 * cut to fit). */
size_t narrate_page_part(const struct tl_event *e, char *buf, size_t len);

#endif
