/* YAML text → libyaml node graph, with limits. Internal to src/scenario.
 *
 * Like yaml_parser_load, but built from libyaml's events so that it can
 * refuse nesting deeper than SCENARIO_MAX_YAML_DEPTH before libyaml's
 * scanner, which slows down quadratically with depth, goes deep; it also
 * refuses a second document and aliases to unfinished anchors (cycles), and
 * it reports every problem as a diag. */
#ifndef VMVIZ_SCENARIO_COMPOSE_H
#define VMVIZ_SCENARIO_COMPOSE_H

#include <stddef.h>

#include <yaml.h>

#include "util/diag.h"

/* Composes the one document in text[0..len) into *doc, every node's
 * start_mark set to where it is written (an alias is the anchored node
 * itself, shared). text is read during the call only: *doc holds copies
 * of its scalars. 0 on success: *doc is then the caller's to
 * yaml_document_delete, and has no root node when the text holds no
 * document. -1 with *err set (file is the name used in it) on any problem;
 * *doc then needs no cleanup. */
int compose_document(const char *file, const char *text, size_t len,
                     yaml_document_t *doc, struct diag *err);

#endif
