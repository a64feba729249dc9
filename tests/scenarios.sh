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
    [ "$(json_number minor_faults)" = 259 ] && [ "$(json_number major_faults)" = 0 ] &&
    [ "$(json_number zero_fills)" = 258 ] && [ "$(json_number faults)" = 259 ] &&
    [ "$(json_number accesses)" = 16644 ]; then
    ok "lazy-allocation: 259 minor faults (2 + 1 + 256 + 0), 0 major, 258 zero fills (the text is the file), as JSON"
else
    fail "lazy-allocation --stats --format json: minor $(json_number minor_faults), major $(json_number major_faults)"
fi

run run --stats "$LAZY"
if [ "$STATUS" -eq 0 ] && grep -q '^minor_faults  *259$' "$TMP/out" &&
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

# One line per operation: the scenario has 18 steps.
run run --level op "$LAZY"
if [ "$STATUS" -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 18 ] &&
    grep -q '^Chapter: malloc$' "$TMP/out" &&
    grep -q 'minor_faults +256' "$TMP/out"; then
    ok "lazy-allocation --level op: 18 lines"
else
    fail "lazy-allocation --level op ($(wc -l <"$TMP/out") lines, status $STATUS)"
fi

# One JSON object per access at the access level.
run run --level access --format json "$LAZY"
done_lines=$(grep -c '"event":"access_done"' "$TMP/out")
bad_lines=$(grep -cv '^{"position":[0-9][0-9]*,"step":[0-9][0-9]*,"line":[0-9][0-9]*,"op":".*}$' "$TMP/out")
if [ "$STATUS" -eq 0 ] && [ "$done_lines" -eq 16644 ] && [ "$bad_lines" -eq 0 ]; then
    ok "lazy-allocation --level access --format json: 16644 accesses"
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
    "command line:1:$(col run --level): error: unknown level 'bogus' (expected op, access or event)" \
    run --level bogus "$LAZY"
bad_cmdline "misspelt level" \
    "command line:1:$(col run --level): error: unknown level 'acess' (expected op, access or event; did you mean 'access'?)" \
    run --level acess "$LAZY"
bad_cmdline "unknown format" \
    "command line:1:$(col run --format): error: unknown format 'xml' (expected text, json or cast)" \
    run --format xml "$LAZY"
bad_cmdline "zero frames" \
    "command line:1:$(col run "$LAZY" --frames): error: --frames is '0' (expected a number from 1 to 4194304)" \
    run "$LAZY" --frames 0
bad_cmdline "frames with a size suffix (numbers only)" \
    "command line:1:$(col run --frames): error: --frames is '4K' (expected a number from 1 to 4194304)" \
    run --frames 4K "$LAZY"
bad_cmdline "TLB entries not a multiple of ways" \
    "command line:1:$(col run --tlb): error: --tlb asks for 6 entries in 4 ways (expected ways that divide the entries)" \
    run --tlb 6x4 "$LAZY"
bad_cmdline "TLB entries not a multiple of the default ways" \
    "command line:1:$(col run --tlb): error: --tlb asks for 6 entries, which the default 4 ways do not divide (expected a multiple of 4, fewer than 4 entries, or ENTRIESxWAYS)" \
    run --tlb 6 "$LAZY"
bad_cmdline "TLB with junk after the ways" \
    "command line:1:$(col run --tlb): error: --tlb is '16x4y' (expected ENTRIES or ENTRIESxWAYS, such as 64 or 16x2)" \
    run --tlb 16x4y "$LAZY"
bad_cmdline "TLB too large" \
    "command line:1:$(col run --tlb): error: --tlb asks for 131072 entries (expected 1 to 65536)" \
    run --tlb 0x2_0000 "$LAZY"
bad_cmdline "unknown policy" \
    "command line:1:$(col check --policy): error: unknown policy 'lur' (expected fifo, lru, clock, opt, random, nru or linux; did you mean 'lru'?)" \
    check --policy lur "$LAZY"
bad_cmdline "policy far from every name" \
    "command line:1:$(col run --policy): error: unknown policy 'belady' (expected fifo, lru, clock, opt, random, nru or linux)" \
    run --policy belady "$LAZY"
bad_cmdline "negative seed" \
    "command line:1:$(col run --seed): error: --seed is '-1' (expected a number from 0 to 9223372036854775807)" \
    run --seed -1 "$LAZY"
bad_cmdline "unknown option" \
    "command line:1:$(col run): error: unknown option '--verbose' (expected --policy, --frames, --tlb, --seed, --level, --format, --size, --stats or --help)" \
    run --verbose "$LAZY"
bad_cmdline "misspelt option" \
    "command line:1:$(col run): error: unknown option '--polcy' (expected --policy, --frames, --tlb, --seed, --level, --format, --size, --stats or --help; did you mean '--policy'?)" \
    run --polcy lru "$LAZY"
bad_cmdline "option without its value" \
    "command line:1:$(col run "$LAZY"): error: --frames needs a value (expected '--frames N')" \
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
    "command line:1:$(col check): error: unknown option '--stats' (expected --policy, --frames, --tlb, --seed or --help)" \
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

# ---- numbers mean what the man pages say -----------------------------------

# A leading 0 is decimal: ten frames hold the ten pages (eight would not).
run run --stats --frames 010 tests/corpus/frames-decimal.yaml
if [ "$STATUS" -eq 0 ] && grep -q '^faults  *10$' "$TMP/out"; then
    ok "--frames 010 is ten frames"
else
    fail "--frames 010 (status $STATUS)"
fi
run run --stats --frames 0b1_010 tests/corpus/frames-decimal.yaml
if [ "$STATUS" -eq 0 ] && grep -q '^faults  *10$' "$TMP/out"; then
    ok "--frames 0b1_010 is ten frames"
else
    fail "--frames 0b1_010 (status $STATUS)"
fi
# --tlb 3 without ways is one fully associative set of 3 ways: the third
# page fills set 0 way 2 (direct-mapped, it went to set 2 way 0).
run run --format json --frames 10 --tlb 3 tests/corpus/frames-decimal.yaml
if [ "$STATUS" -eq 0 ] &&
    grep -q '"event":"tlb_fill","pid":1,"access":"read","va":128,"vpn":2,"set":0,"way":2' "$TMP/out" &&
    ! grep '"event":"tlb_fill"' "$TMP/out" | grep -qv '"set":0,'; then
    ok "--tlb 3 is fully associative"
else
    fail "--tlb 3 (status $STATUS)"
fi

# ---- untrusted text reaches the terminal escaped ----------------------------

ESC=$(printf '\033')
# no_controls FILE...: true when the files hold no control byte but the
# newlines ending lines, and no C1 control (bytes c2 80 to c2 9f).
no_controls() {
    for f in "$@"; do
        if LC_ALL=C tr -d '\n' <"$f" | LC_ALL=C grep -q '[[:cntrl:]]'; then return 1; fi
        if od -An -tx1 -v "$f" | tr -s ' \n' '  ' | grep -q 'c2 [89]'; then return 1; fi
    done
    return 0
}
for args in "run tests/corpus/say-escapes.yaml" "run --format json tests/corpus/say-escapes.yaml" \
    "run --level op tests/corpus/say-escapes.yaml" "check tests/corpus/key-escapes.yaml" \
    "run tests/corpus/step-escapes.yaml" "run tests/corpus/trace-path-escapes.yaml" \
    "run --policy ${ESC}]0;t --stats $LAZY" "check --frames 1${ESC}[2J $LAZY" \
    "run --verbose${ESC}c $LAZY"; do
    # shellcheck disable=SC2086
    run $args
    shown=$(echo "$args" | tr -d '\033')
    if [ ! -s "$TMP/out" ] && [ ! -s "$TMP/err" ]; then
        fail "no output at all: $shown"
    elif no_controls "$TMP/out" "$TMP/err"; then
        ok "no control byte reaches the terminal: $shown"
    else
        fail "a control byte reached the terminal: $shown"
    fi
done
mkdir -p "$TMP/evil${ESC}[2J"
cp tests/corpus/many-paths.yaml "$TMP/evil${ESC}[2J/a.yaml"
run check "$TMP/evil${ESC}[2J/a.yaml"
if [ "$STATUS" -eq 0 ] && grep -qF "$TMP/evil\e[2J/a.yaml: ok" "$TMP/out" &&
    no_controls "$TMP/out" "$TMP/err"; then
    ok "a scenario path holding ESC is shown escaped by check"
else
    fail "a scenario path holding ESC (status $STATUS)"
fi

# ---- only regular files, never waited on ----------------------------------

# A FIFO nobody writes to would block a plain open for ever: each of these
# must come back at once with the error (timeout kills a hang).
mkfifo "$TMP/fifo.yaml" "$TMP/fifo.theme" "$TMP/fifo.txt"
cat >"$TMP/fifo-trace.yaml" <<'EOF2'
title: a trace that is a FIFO
processes: [{name: p, pid: 1}]
steps: [trace: {file: fifo.txt, format: rw}]
EOF2
# not_regular WHAT WANT-STDERR ARGS...
not_regular() {
    what=$1 want=$2
    shift 2
    timeout 20 "$VMVIZ" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
    STATUS=$?
    if [ "$STATUS" -eq 2 ] && [ "$(head -n 1 "$TMP/err")" = "$want" ]; then
        ok "$what"
    else
        fail "$what (status $STATUS; want: $want)"
    fi
}
not_regular "a FIFO named as a scenario is refused, not waited on" \
    "$TMP/fifo.yaml: error: cannot read the scenario: it is a FIFO (expected a regular file)" \
    run "$TMP/fifo.yaml"
not_regular "a FIFO trace is refused, not waited on" \
    "$TMP/fifo-trace.yaml:3:23: error: cannot read trace '$TMP/fifo.txt': it is a FIFO (expected a regular file)" \
    check "$TMP/fifo-trace.yaml"
not_regular "a FIFO theme is refused, not waited on" \
    "$TMP/fifo.theme: error: cannot read the theme: it is a FIFO (expected a regular file)" \
    --theme "$TMP/fifo.theme" "$LAZY"
mkdir -p "$TMP/themes" "$TMP/scenarios"
mkfifo "$TMP/themes/pipe.theme"
cp "$LAZY" "$TMP/scenarios/"
VMVIZ_DATA=$TMP not_regular "a FIFO in the themes directory, chosen by name, is refused" \
    "$TMP/themes/pipe.theme: error: cannot read the theme: it is a FIFO (expected a regular file)" \
    --theme pipe "$LAZY"

# ---- output errors ------------------------------------------------------------

if [ -w /dev/full ]; then
    FULL="standard output: error: cannot write the output: No space left on device (expected a standard output that takes it all)"
    for args in "run $LAZY" "run --stats $LAZY" "run --format json --level op $LAZY" \
        "check $LAZY" "--help" "run --help" "check -h" "--version"; do
        # shellcheck disable=SC2086
        "$VMVIZ" $args >/dev/full 2>"$TMP/err"
        STATUS=$?
        if [ "$STATUS" -eq 2 ] && [ "$(cat "$TMP/err")" = "$FULL" ]; then
            ok "output to a full device: status 2 and one message ($args)"
        else
            fail "output to a full device ($args): status $STATUS, stderr: $(head -n 3 "$TMP/err")"
        fi
    done
else
    ok "no /dev/full here: output errors not tried"
fi

# A reader that goes away ends the run quietly, by SIGPIPE (status 141 in
# the shell), as any filter does.
{ "$VMVIZ" run --level access "$LAZY" 2>"$TMP/err"; echo $? >"$TMP/pipe-status"; } | head -n 1 >/dev/null
pipe_status=$(cat "$TMP/pipe-status")
if [ "$pipe_status" -eq 141 ] && [ ! -s "$TMP/err" ]; then
    ok "a closed pipe ends the run quietly (SIGPIPE, status 141)"
else
    fail "a closed pipe: status $pipe_status, stderr: $(head -n 2 "$TMP/err")"
fi
# Even when the caller ignores SIGPIPE.
{ trap '' PIPE; "$VMVIZ" run --level access "$LAZY" 2>"$TMP/err"; echo $? >"$TMP/pipe-status"; } | head -n 1 >/dev/null
pipe_status=$(cat "$TMP/pipe-status")
if [ "$pipe_status" -eq 141 ] && [ ! -s "$TMP/err" ]; then
    ok "a closed pipe ends the run quietly with SIGPIPE ignored by the caller"
else
    fail "a closed pipe, SIGPIPE ignored: status $pipe_status, stderr: $(head -n 2 "$TMP/err")"
fi

# ---- any number of scenarios --------------------------------------------------

set --
i=0
while [ "$i" -lt 300 ]; do set -- "$@" tests/corpus/many-paths.yaml; i=$((i + 1)); done
run check "$@"
if [ "$STATUS" -eq 0 ] && [ "$(grep -c '^tests/corpus/many-paths.yaml: ok (0 expectations failed)$' "$TMP/out")" -eq 300 ]; then
    ok "check of 300 scenarios checks all 300"
else
    fail "check of 300 scenarios (status $STATUS, $(wc -l <"$TMP/out") lines)"
fi
run check -- "$@" tests/corpus/no-such-file.yaml
if [ "$STATUS" -eq 2 ] && [ "$(grep -c ': ok (0 expectations failed)$' "$TMP/out")" -eq 300 ]; then
    ok "check -- with 301 scenarios reports the 301st"
else
    fail "check -- with 301 scenarios (status $STATUS)"
fi

# ---- compare: racing policies ------------------------------------------------

# Every row of compare is what run --stats prints for its policy and frames.
BELADY=scenarios/belady.yaml
run compare --policies fifo,lru,clock,opt,random,nru,linux --frames 2..5 --format json "$BELADY"
cp "$TMP/out" "$TMP/compare.json"
same=1 rows=0
for p in fifo lru clock opt random nru linux; do
    for n in 2 3 4 5; do
        rows=$((rows + 1))
        run run --stats --format json --policy "$p" --frames "$n" "$BELADY"
        want=$(sed 's/^{/{"policy":"'"$p"'","frames":'"$n"',/' "$TMP/out")
        grep -qxF "$want," "$TMP/compare.json" || grep -qxF "$want" "$TMP/compare.json" || same=0
    done
done
if [ "$same" -eq 1 ] && [ "$(grep -c '^{' "$TMP/compare.json")" -eq "$rows" ]; then
    ok "compare: each of $rows rows equals run --stats with its policy and frames"
else
    fail "compare: rows differ from run --stats"
fi
run compare --policies fifo,opt --frames 1..5 "$BELADY"
if [ "$STATUS" -eq 0 ] && grep -q '^fifo         4       10 ' "$TMP/out" &&
    grep -q '^10 |               F$' "$TMP/out" && grep -q '^F fifo  O opt' "$TMP/out"; then
    ok "compare: FIFO's tenth fault at 4 frames, in the table and on the chart"
else
    fail "compare --frames 1..5 on $BELADY (status $STATUS)"
fi
run compare --frames 1..3 "$LAZY"
if [ "$STATUS" -eq 2 ] && [ ! -s "$TMP/out" ] &&
    head -n 1 "$TMP/err" | grep -q "^$LAZY:[0-9]*:[0-9]*: error: fifo with 1 frame: "; then
    ok "compare: a configuration the scenario cannot run on is an error, nothing printed"
else
    fail "compare with too few frames (status $STATUS)"
fi

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

# A lackey record that crosses a page boundary: run --level access says of
# its second page that it is the same access going on.
printf 'title: t\nprocesses: [{name: p, pid: 1, areas: []}]\nsteps:\n  - trace: {file: "%s", format: lackey, auto_areas: true}\n' \
    "$(pwd)/tests/data/play/crossing.lackey" > "$TMP/crossing.yaml"
run run --level access "$TMP/crossing.yaml"
if [ "$STATUS" -eq 0 ] && sed -n 2p "$TMP/out" | grep -qx \
    'pid 1 write 0x42000 (page 2 of the same 8-byte write) -> 0x5000 (TLB miss, fault: zero_fill)' &&
    sed -n 1p "$TMP/out" | grep -qx 'pid 1 write 0x41ffc -> 0x4ffc (TLB miss, fault: zero_fill)'; then
    ok "run --level access: a record's second page is page 2 of the same write"
else
    fail "run --level access on a crossing record: $(sed -n 2p "$TMP/out")"
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
