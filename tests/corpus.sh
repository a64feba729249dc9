#!/bin/sh
# The bad-input corpus: every case in tests/corpus/*.case runs the program
# on an input that once crashed it, hung it, took all the memory or was
# silently played wrong, under a limit on time and memory, and checks the
# exit status and the first line of standard error exactly.
#
#   VMVIZ=build/check/vmviz sh tests/corpus.sh      (from the repo top)
#
# A case file holds lines KEY: VALUE:
#   what:    one line saying what the input tries
#   args:    the command line after the program's name (words split on
#            blanks; no quoting)
#   status:  the expected exit status
#   stderr:  the expected first line of standard error ("" for none)
#   stdout:  optional: a line standard output must contain
#   env:     optional: VAR=VALUE words set for the run
#   limit:   optional: seconds of CPU and MiB of memory, default "20 2048";
#            the wall clock is bounded at three times the CPU seconds
# Prints one line per case and "N passed, M failed"; exits 1 when any failed.
set -u

VMVIZ=${VMVIZ:-./vmviz}
if [ ! -x "$VMVIZ" ] || [ ! -d tests/corpus ]; then
    echo "corpus.sh: run me from the top of the source tree with VMVIZ built" >&2
    exit 1
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmviz-corpus.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

# ASan reserves far more address space than it uses: bound the sanitized
# program by resident memory through its own allocator limit instead.
case "$VMVIZ" in
*check*) SANITIZED=1 ;;
*) SANITIZED=0 ;;
esac

PASSED=0
FAILED=0

field() { sed -n "s/^$1: //p" "$2" | head -n 1; }

for c in tests/corpus/*.case; do
    [ -f "$c" ] || continue
    what=$(field what "$c")
    args=$(field args "$c")
    want_status=$(field status "$c")
    want_err=$(field stderr "$c")
    want_out=$(field stdout "$c")
    envs=$(field env "$c")
    limit=$(field limit "$c")
    [ -n "$limit" ] || limit="20 2048"
    secs=${limit% *}
    mib=${limit#* }
    (
        ulimit -t "$secs" 2>/dev/null
        if [ "$SANITIZED" -eq 1 ]; then
            ASAN_OPTIONS="${ASAN_OPTIONS:-}:hard_rss_limit_mb=$mib:allocator_may_return_null=1"
            export ASAN_OPTIONS
        else
            ulimit -v $((mib * 1024)) 2>/dev/null
        fi
        # shellcheck disable=SC2086
        exec timeout -k 5 $((secs * 3)) env $envs "$VMVIZ" $args </dev/null >"$TMP/out" 2>"$TMP/err"
    )
    status=$?
    got_err=$(head -n 1 "$TMP/err")
    if [ "$status" -eq "$want_status" ] && [ "$got_err" = "$want_err" ] &&
        { [ -z "$want_out" ] || grep -qF -- "$want_out" "$TMP/out"; }; then
        PASSED=$((PASSED + 1))
        printf 'ok   %s\n' "$what"
    else
        FAILED=$((FAILED + 1))
        # printf, not echo: some shells' echo turns "\e" back into a raw byte.
        printf 'FAIL %s (%s)\n' "$what" "$c"
        printf '     status %s, want %s\n' "$status" "$want_status"
        printf '     stderr: %s\n' "$got_err"
        printf '     want:   %s\n' "$want_err"
    fi
done
echo "corpus: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
