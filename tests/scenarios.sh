#!/bin/sh
# Scenario and command-line tests of the vmviz program: every scenario in
# scenarios/ checks, the seed scenario's counters, exit statuses, the
# one-line errors of bad command lines and of the bad-scenario corpus in
# tests/data/bad/.
#
#   VMVIZ=build/check/vmviz sh tests/scenarios.sh      (from the repo top)
#
# Prints one line per check and "N passed, M failed"; exits 1 when any
# check failed.
set -u

VMVIZ=${VMVIZ:-./vmviz}
if [ ! -x "$VMVIZ" ]; then
    echo "scenarios.sh: $VMVIZ is not an executable (build it first)" >&2
    exit 1
fi
if [ ! -d scenarios ] || [ ! -d tests/data ]; then
    echo "scenarios.sh: run me from the top of the source tree" >&2
    exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmviz-scen.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
fail() {
    FAILED=$((FAILED + 1))
    echo "FAIL $1"
    for f in "$TMP/out" "$TMP/err"; do
        if [ -s "$f" ]; then head -n 5 "$f" | sed 's/^/     | /'; fi
    done
}

# run ARGS...: runs the program, stdout to $TMP/out, stderr to $TMP/err,
# the exit status to $STATUS.
run() {
    "$VMVIZ" "$@" >"$TMP/out" 2>"$TMP/err"
    STATUS=$?
}

# json_number KEY: the value of "KEY":N in $TMP/out, or empty.
json_number() {
    sed -n "s/.*\"$1\":\([0-9][0-9]*\).*/\1/p" "$TMP/out" | head -n 1
}

# ---- every scenario of the library checks ---------------------------------

count=0
for f in scenarios/*.yaml; do
    [ -f "$f" ] || continue
    count=$((count + 1))
    run check "$f"
    if [ "$STATUS" -eq 0 ] && grep -q "^$f: ok (0 expectations failed)\$" "$TMP/out" &&
        [ ! -s "$TMP/err" ]; then
        ok "check $f"
    else
        fail "check $f (status $STATUS)"
    fi
done
if [ "$count" -ge 1 ]; then ok "scenarios/ holds $count scenarios"; else fail "no scenario in scenarios/"; fi

# All at once: one line each, status 0.
run check scenarios/*.yaml
if [ "$STATUS" -eq 0 ] && [ "$(grep -c ': ok (0 expectations failed)$' "$TMP/out")" -eq "$count" ]; then
    ok "check of all $count scenarios in one run"
else
    fail "check of all scenarios in one run (status $STATUS)"
fi

# ---- the seed scenario: malloc(1 MiB) then two memsets ---------------------

LAZY=scenarios/lazy-allocation.yaml
run run --stats --format json "$LAZY"
if [ "$STATUS" -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 1 ] &&
    [ "$(json_number minor_faults)" = 258 ] && [ "$(json_number major_faults)" = 0 ] &&
    [ "$(json_number zero_fills)" = 258 ] && [ "$(json_number faults)" = 258 ] &&
    [ "$(json_number accesses)" = 16642 ]; then
    ok "lazy-allocation: 258 minor faults (2 + 256 + 0), 0 major, as JSON"
else
    fail "lazy-allocation --stats --format json: minor $(json_number minor_faults), major $(json_number major_faults)"
fi

run run --stats "$LAZY"
if [ "$STATUS" -eq 0 ] && grep -q '^minor_faults  *258$' "$TMP/out" &&
    grep -q '^major_faults  *0$' "$TMP/out" && [ "$(wc -l <"$TMP/out")" -eq 20 ]; then
    ok "lazy-allocation: the same counters as text"
else
    fail "lazy-allocation --stats as text"
fi

# The overrides reach the run: with 100 frames the first memset must evict.
run run --stats --frames 100 "$LAZY"
ev=$(sed -n 's/^evictions  *\([0-9]*\)$/\1/p' "$TMP/out")
if [ "$STATUS" -eq 1 ] && [ -n "$ev" ] && [ "$ev" -gt 0 ]; then
    ok "lazy-allocation --frames 100: $ev evictions, status 1 (an expectation fails)"
else
    fail "lazy-allocation --frames 100 (status $STATUS, evictions '$ev')"
fi

# One line per operation: the scenario has 17 steps.
run run --level op "$LAZY"
if [ "$STATUS" -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 17 ] &&
    grep -q '^Chapter: malloc$' "$TMP/out" &&
    grep -q 'minor_faults +256' "$TMP/out"; then
    ok "lazy-allocation --level op: 17 lines"
else
    fail "lazy-allocation --level op ($(wc -l <"$TMP/out") lines, status $STATUS)"
fi

# One JSON object per access at the access level.
run run --level access --format json "$LAZY"
done_lines=$(grep -c '"event":"access_done"' "$TMP/out")
bad_lines=$(grep -cv '^{"position":[0-9][0-9]*,"step":[0-9][0-9]*,"line":[0-9][0-9]*,"op":".*}$' "$TMP/out")
if [ "$STATUS" -eq 0 ] && [ "$done_lines" -eq 16642 ] && [ "$bad_lines" -eq 0 ]; then
    ok "lazy-allocation --level access --format json: 16642 accesses"
else
    fail "lazy-allocation --level access --format json ($done_lines accesses, $bad_lines odd lines)"
fi

# ---- expectations that fail: status 1, FILE:LINE:COLUMN --------------------

cat >"$TMP/fails.yaml" <<'EOF'
title: fails
machine: {preset: tiny, frames: 4, table_frames: 4}
processes: [{name: p, pid: 1}]
steps:
  - refs: "1 2 3"
  - expect: {faults: 3, minor_faults: 4}
EOF
run check "$TMP/fails.yaml"
if [ "$STATUS" -eq 1 ] &&
    grep -q "^$TMP/fails.yaml:6:39: expectation failed: minor_faults is 3 (expected 4)\$" "$TMP/err" &&
    grep -q "^$TMP/fails.yaml: FAILED (1 expectation failed)\$" "$TMP/out"; then
    ok "a failed expectation: status 1 and FILE:LINE:COLUMN"
else
    fail "a failed expectation (status $STATUS)"
fi
cat >"$TMP/negative.yaml" <<'EOF'
title: a decrease that cannot happen
machine: {preset: tiny, frames: 4, table_frames: 4}
processes: [{name: p, pid: 1}]
steps:
  - refs: "1 2"
  - expect: {faults: -1}
EOF
run check "$TMP/negative.yaml"
if [ "$STATUS" -eq 1 ] &&
    grep -q "^$TMP/negative.yaml:6:22: expectation failed: faults is +2 (expected -1)\$" "$TMP/err"; then
    ok "a failed relative expectation of -1 keeps its sign"
else
    fail "a failed relative expectation of -1 (status $STATUS)"
fi
run run --stats "$TMP/fails.yaml"
if [ "$STATUS" -eq 1 ]; then ok "run --stats: status 1 after a failed expectation"; else fail "run --stats on a failing scenario (status $STATUS)"; fi

# A good and a bad scenario at once: the worst status wins.
run check "$LAZY" tests/data/bad/syntax-error.yaml
if [ "$STATUS" -eq 2 ] && grep -q "^$LAZY: ok" "$TMP/out"; then
    ok "check with one bad scenario of two: status 2, the good one still checked"
else
    fail "check with one bad scenario of two (status $STATUS)"
fi

# ---- bad command lines: status 2, "command line:1:COL: error: ..." ---------

# col N: the column where argument N starts in "$VMVIZ ARG1 ARG2 ...",
# given the lengths of the arguments before it.
col() {
    c=$((${#VMVIZ} + 2))
    for a in "$@"; do c=$((c + ${#a} + 1)); done
    echo "$c"
}

# bad_cmdline DESCRIPTION EXPECTED-STDERR-LINE ARGS...
bad_cmdline() {
    what=$1 want=$2
    shift 2
    run "$@"
    if [ "$STATUS" -eq 2 ] && [ "$(head -n 1 "$TMP/err")" = "$want" ] && [ ! -s "$TMP/out" ]; then
        ok "bad command line: $what"
    else
        fail "bad command line: $what (status $STATUS; want: $want)"
    fi
}

bad_cmdline "unknown level" \
    "command line:1:$(col run --level): error: unknown level (expected op, access or event)" \
    run --level bogus "$LAZY"
bad_cmdline "unknown format" \
    "command line:1:$(col run --format): error: unknown format (expected text or json)" \
    run --format xml "$LAZY"
bad_cmdline "zero frames" \
    "command line:1:$(col run "$LAZY" --frames): error: bad frame count (expected 1 to 4194304)" \
    run "$LAZY" --frames 0
bad_cmdline "TLB entries not a multiple of ways" \
    "command line:1:$(col run --tlb): error: bad TLB size (expected ENTRIES or ENTRIESxWAYS, entries a multiple of ways, at most 65536)" \
    run --tlb 6x4 "$LAZY"
bad_cmdline "unknown policy" \
    "command line:1:$(col check --policy): error: unknown policy (expected fifo, lru, clock, opt, random, nru or linux)" \
    check --policy lur "$LAZY"
bad_cmdline "negative seed" \
    "command line:1:$(col run --seed): error: bad seed (expected a non-negative number)" \
    run --seed -1 "$LAZY"
bad_cmdline "unknown option" \
    "command line:1:$(col run): error: unknown option '--verbose' (expected one listed by --help)" \
    run --verbose "$LAZY"
bad_cmdline "option without its value" \
    "command line:1:$(col run "$LAZY"): error: --frames needs a value (expected '--frames VALUE')" \
    run "$LAZY" --frames
bad_cmdline "run without a scenario" \
    "command line:1:$(col run --stats): error: no scenario given (expected 'vmviz run SCENARIO')" \
    run --stats
bad_cmdline "run with two scenarios" \
    "command line:1:$(col run "$LAZY" "$LAZY"): error: more than one scenario (expected exactly one)" \
    run "$LAZY" "$LAZY"
bad_cmdline "check without a scenario" \
    "command line:1:$(col check): error: no scenario given (expected 'vmviz check SCENARIO...')" \
    check
bad_cmdline "check with --stats (a run option)" \
    "command line:1:$(col check): error: unknown option '--stats' (expected one listed by --help)" \
    check --stats "$LAZY"

run run "$TMP/no-such-file.yaml"
if [ "$STATUS" -eq 2 ] && grep -q "^$TMP/no-such-file.yaml: error: \|^$TMP/no-such-file.yaml:[0-9]*:[0-9]*: error: " "$TMP/err"; then
    ok "a missing scenario file: status 2 and its name"
else
    fail "a missing scenario file (status $STATUS)"
fi

run run --help
if [ "$STATUS" -eq 0 ] && grep -q '^usage: vmviz run' "$TMP/out"; then ok "run --help"; else fail "run --help (status $STATUS)"; fi
run --version
if [ "$STATUS" -eq 0 ] && grep -q '^vmviz [0-9]' "$TMP/out"; then ok "--version"; else fail "--version (status $STATUS)"; fi

# ---- the corpus of bad scenarios --------------------------------------------

nbad=0
for f in tests/data/bad/*.yaml; do
    [ -f "$f" ] || continue
    nbad=$((nbad + 1))
    run check "$f"
    if [ "$STATUS" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -ge 1 ] &&
        head -n 1 "$TMP/err" | grep -q '^[^:]*:[0-9]*:[0-9]*: error: '; then
        ok "bad scenario $f: $(head -n 1 "$TMP/err" | cut -c1-100)"
    else
        fail "bad scenario $f (status $STATUS)"
    fi
    # run reports the same error.
    cp "$TMP/err" "$TMP/err.check"
    run run --stats "$f"
    if [ "$STATUS" -ne 2 ] || ! cmp -s "$TMP/err" "$TMP/err.check"; then
        fail "bad scenario $f: run gives status $STATUS or another message"
    fi
done
if [ "$nbad" -ge 1 ]; then ok "$nbad bad scenarios in tests/data/bad"; else fail "no bad scenario in tests/data/bad"; fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
