/* Text → value parsers shared by the scenario loader, the trace readers and
 * the command line, so that a number means the same everywhere (vmviz(1),
 * vmviz-scenario(5)). Each parser reads exactly s[0..len) (no NUL needed)
 * and accepts the whole text or nothing: trailing junk is an error. */
#ifndef VMVIZ_UTIL_VALUE_H
#define VMVIZ_UTIL_VALUE_H

#include <stddef.h>
#include <stdint.h>

enum value_status {
    VALUE_OK,
    VALUE_SYNTAX,    /* not of the expected shape */
    VALUE_OVERFLOW   /* the right shape, but beyond 64 bits */
};

/* An unsigned number below 2^64: decimal, 0x hex or 0b binary (the prefix
 * in either case); '_' may separate two digits ("0x7fff_ffff"). A leading
 * 0 is just a digit: "010" is ten, never octal. No sign, no spaces. */
enum value_status value_parse_number(const char *s, size_t len, uint64_t *out);

/* How many bytes at the start of s[0..len) a number could take: its 0x or
 * 0b prefix, then the digits of that base and underscores. For splitting
 * "16x4" into its numbers; what it spans still has to be parsed. */
size_t value_number_length(const char *s, size_t len);

/* A size in bytes: a number, optionally followed (spaces allowed between)
 * by a binary suffix K, KiB, M, MiB, G, GiB, T or TiB ("16KiB" = 16384). */
enum value_status value_parse_size(const char *s, size_t len, uint64_t *out);

/* A protection string of exactly three characters: r or -, w or -,
 * x or -. *out gets SCENARIO_PROT_* bits (1 read, 2 write, 4 exec). */
enum value_status value_parse_prot(const char *s, size_t len, unsigned *out);

/* 1 when s[0..len) is a name usable in an address expression: letters,
 * digits, '_' and '.', starting with a letter or '_'. */
int value_is_name(const char *s, size_t len);

#endif
