#!/bin/sh
# Memory checks of the release program under Valgrind: every scenario of
# scenarios/ with `run --stats` and `check`, one played event by event with
# JSON output, some drawn into casts, and the bad scenarios of
# tests/data/bad/, a bad key file and recording (their error paths must
# free everything too). Any Valgrind error or definite/indirect leak
# fails.
#
#   sh tests/valgrind.sh          (from the repo top, after make)
#   VMVIZ=path/to/vmviz sh tests/valgrind.sh
set -u

VMVIZ=${VMVIZ:-./vmviz}
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind.sh: valgrind not found (Debian: apt-get install valgrind)" >&2
    exit 1
fi
if [ ! -x "$VMVIZ" ]; then
    echo "valgrind.sh: $VMVIZ is not an executable (run make first)" >&2
    exit 1
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmviz-vg.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

PASSED=0
FAILED=0
N=0

# vg WANT-STATUS ARGS...: runs the program under Valgrind; passes when it
# exits with WANT-STATUS and Valgrind reports no error.
vg() {
    want=$1
    shift
    N=$((N + 1))
    log="$TMP/vg.$N.log"
    valgrind -q --error-exitcode=1 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
        --track-origins=yes --log-file="$log" "$VMVIZ" "$@" >"$TMP/out" 2>"$TMP/err"
    status=$?
    if [ "$status" -eq "$want" ] && [ ! -s "$log" ]; then
        PASSED=$((PASSED + 1))
        echo "ok   $*"
    else
        FAILED=$((FAILED + 1))
        echo "FAIL $* (status $status, expected $want)"
        sed 's/^/     | /' "$log" | head -n 40
    fi
}

for f in scenarios/*.yaml; do
    [ -f "$f" ] || continue
    vg 0 run --stats "$f"
    vg 0 check "$f"
done
vg 0 run --stats --format json --policy opt scenarios/lazy-allocation.yaml
vg 0 run --format json --level event scenarios/lazy-allocation.yaml
vg 0 run --level access --policy lru --tlb 16x4 scenarios/lazy-allocation.yaml
vg 1 run --stats --frames 100 scenarios/lazy-allocation.yaml
for f in tests/data/bad/*.yaml; do
    [ -f "$f" ] || continue
    vg 2 check "$f"
done
vg 2 run --level nonsense scenarios/lazy-allocation.yaml
# The viewer drawn into a cast, and what is refused before a terminal.
vg 0 run --format cast --level op --size 120x40 scenarios/lazy-allocation.yaml
vg 0 run --format cast scenarios/swapping.yaml
vg 1 run --format cast --policy lru --frames 8 scenarios/swapping.yaml
vg 2 run --format cast tests/data/bad/bad-size.yaml
vg 2 --keys tests/corpus/keys-unknown.keys scenarios/lazy-allocation.yaml
vg 2 --record tests/corpus scenarios/lazy-allocation.yaml
# Exercises: generated, answered by the engine, and marked; a bad answer
# file's error path too.
vg 0 exercise fork --seed 7 --difficulty hard
vg 0 exercise refs --seed 7 --difficulty hard --answers --format json
vg 2 exercise refs --seed 4 --check tests/corpus/exercise-no-colon.answers
"$VMVIZ" exercise tlb --seed 3 --difficulty medium --answers >"$TMP/answers" 2>/dev/null
vg 0 exercise tlb --seed 3 --difficulty medium --check "$TMP/answers"

echo "valgrind: $N runs, $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
