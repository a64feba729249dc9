#!/bin/sh
# vmviz capture on the seed program (scenarios/programs/lazy-allocation.c):
# captures it, plays the scenario, and compares each chapter's simulated
# minor faults with the getrusage() count of the native run that the
# chapter carries. Also checks the text area is file-backed and the errors
# of a capture that cannot run.
#
#   VMVIZ=build/check/vmviz sh tests/capture.sh      (from the repo top)
#
# No tolerance: malloc, memset, second memset and end must match exactly
# (+1, +256, +0, +0: malloc writes the header of the chunk it maps, memset
# first-touches each page of the buffer, the same in both runs). The
# marker's own cost is in none of them: its first call, before the first
# count, in both runs, writes its line once into /dev/null (the faults of
# the first getrusage() and dprintf(), and the heap that dprintf's buffer
# sets up) and runs raise(0), the code that raise(SIGSTOP) runs under
# Valgrind: its getpid() maps, by fault-around, the page of _exit(), which
# natively faulted at the exit otherwise (end: Linux 1, model 0;
# tests/linux/lazy-allocation-captured.c). Start-up (execve to the first
# marker) is printed, not compared: under Valgrind the program's loading
# is done by Valgrind, not by the kernel's execve, and Linux may map a
# file's pages a large folio at a fault where the model maps a page and
# its fault-around (vmviz(1), SIMPLIFICATIONS).
set -u

VMVIZ=${VMVIZ:-./vmviz}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmviz-capture.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM
failed=0
fail() { echo "capture: FAIL: $*"; failed=1; }

# A gzip-compressed trace plays as the same trace uncompressed, and one cut
# short is an error at the line it reached, status 2.
gzip -c tests/data/traces/lackey.txt > "$TMP/packed.lackey"
head -c 100 "$TMP/packed.lackey" > "$TMP/cut.lackey"
for name in plain packed cut; do
    file=$name.lackey; [ "$name" = plain ] && file=$(pwd)/tests/data/traces/lackey.txt
    printf 'title: t\nprocesses: [{name: p, pid: 1, areas: []}]\nsteps:\n  - trace: {file: "%s", format: lackey, auto_areas: true}\n' \
        "$file" > "$TMP/$name.yaml"
done
"$VMVIZ" run --format json "$TMP/plain.yaml" > "$TMP/plain.json" || fail "the plain trace does not play"
"$VMVIZ" run --format json "$TMP/packed.yaml" > "$TMP/packed.json" || fail "the gzip trace does not play"
[ -s "$TMP/plain.json" ] && cmp -s "$TMP/plain.json" "$TMP/packed.json" ||
    fail "the gzip trace plays differently from the plain one"
"$VMVIZ" run "$TMP/cut.yaml" > /dev/null 2> "$TMP/err"; status=$?
[ "$status" = 2 ] && grep -q "cut.lackey:[0-9]*:1: error: cannot uncompress the trace" "$TMP/err" ||
    fail "a cut gzip trace gives status $status and: $(head -n 1 "$TMP/err")"

if ! command -v valgrind >/dev/null || [ ! -f /usr/include/valgrind/valgrind.h ]; then
    echo "capture: skipped: valgrind is not installed (Debian package valgrind)"
    exit "$failed"
fi

cc -O0 -std=gnu11 -Wall -Werror -Iscenarios/programs -o "$TMP/seed" \
    scenarios/programs/lazy-allocation.c || { echo "capture: cannot build the seed"; exit 1; }

# The marker costs nothing visible outside a capture: the program's output
# is the same with and without VMVIZ_CAPTURE_FD unset.
[ "$("$TMP/seed")" = 67 ] || fail "the seed program does not print 67"

"$VMVIZ" capture -o "$TMP/seed.yaml" -- "$TMP/seed" > "$TMP/out" 2> "$TMP/err" ||
    { cat "$TMP/err"; fail "capture failed"; exit 1; }
# The traces are in one directory beside the scenario, numbered from 0,
# and its trace steps name them there; nothing else lies beside it.
[ -s "$TMP/seed.traces/0.lackey.gz" ] || fail "no trace seed.traces/0.lackey.gz"
ls "$TMP" | grep -q '^seed\.[0-9]' && fail "trace files lie beside the scenario"
grep -o 'file: "[^"]*"' "$TMP/seed.yaml" | grep -v '^file: "seed\.traces/[0-9]*\.lackey\.gz"$' &&
    fail "a trace step names a file outside seed.traces/"
traces=$(ls "$TMP/seed.traces" | wc -l)
[ "$traces" -eq "$(grep -c '^  - trace: ' "$TMP/seed.yaml")" ] ||
    fail "seed.traces/ holds $traces files, not one per trace step"
grep -q '^ *- {name: text, start: 0x[0-9a-f]*, size: 0x[0-9a-f]*, prot: r-x, file: seed,' \
    "$TMP/seed.yaml" || fail "the text area is not r-x and file-backed from the program"

# compare_chapters SCENARIO: plays it and compares each chapter's simulated
# minor faults with the native count the chapter carries (linux_minor_faults).
compare_chapters() {
    grep -o 'linux_minor_faults: [0-9]*' "$1" | awk '{print $2}' > "$TMP/native"
    # Simulated: the minor_faults of every step of each chapter (absent
    # when 0), summed: a chapter's trace is cut into files at each mmap,
    # munmap, mprotect and brk the program made.
    "$VMVIZ" run --format json --level op "$1" > "$TMP/run.json" ||
        fail "$1 does not play"
    awk '/"op":"chapter"/ { if (n++) print sum; sum = 0; next }
         /"event":"op_done"/ && match($0, /"minor_faults":[0-9]+/) {
             sum += substr($0, RSTART + 15, RLENGTH - 15) }
         END { if (n) print sum }' "$TMP/run.json" > "$TMP/simulated"
    # The report's comparison at each chapter's end says the same numbers.
    grep '"event":"linux_counts"' "$TMP/run.json" |
        sed 's/.*"linux_minor_faults":\([0-9]*\).*,"minor_faults":\([0-9]*\).*/\1 \2/' \
        > "$TMP/reported"
    paste -d' ' "$TMP/native" "$TMP/simulated" | cmp -s - "$TMP/reported" ||
        fail "$1: the report's Linux and model counts are not the chapters' ($(tr '\n' ' ' < "$TMP/reported"))"
    # --stats adds Linux's total beside the model's.
    total=$(awk '{ n += $1 } END { print n }' "$TMP/native")
    "$VMVIZ" run --stats "$1" | grep -qx "linux_minor   $total" ||
        fail "$1: run --stats does not show linux_minor $total"
    grep -q '"segfaults"' "$TMP/run.json" && fail "$1: the captured run gets SIGSEGV"
    grep -q '"evictions"' "$TMP/run.json" && fail "$1: the captured run evicts pages"
    [ "$(wc -l < "$TMP/native")" -eq 5 ] || fail "$1: expected 5 chapters with native counts"
    [ "$(wc -l < "$TMP/simulated")" -eq 5 ] || fail "$1: expected 5 chapters played"
    i=0
    for name in Start-up malloc memset second_memset end; do
        i=$((i + 1))
        native=$(sed -n "${i}p" "$TMP/native")
        simulated=$(sed -n "${i}p" "$TMP/simulated")
        echo "capture: $(basename "$1") $name: Linux $native minor faults, vmviz $simulated"
        case $name in
            Start-up) ;;
            memset) [ "$native" = 256 ] && [ "$simulated" = 256 ] ||
                        fail "$1: memset must be +256 in both" ;;
            second_memset) [ "$native" = 0 ] && [ "$simulated" = 0 ] ||
                        fail "$1: second memset must be +0 in both" ;;
            malloc) [ "$native" = 1 ] && [ "$simulated" = 1 ] ||
                        fail "$1: malloc must be +1 in both" ;;
            end) [ "$native" = 0 ] && [ "$simulated" = 0 ] ||
                        fail "$1: end must be +0 in both" ;;
        esac
    done
}
compare_chapters "$TMP/seed.yaml"

# The mappings the program made are steps where it made them: malloc's
# 1 MiB (and a page of its header) is an mmap in chapter malloc, before
# memset touches it, and free's munmap of it comes after the marker
# "end"; the dynamic loader's mprotect of libc's RELRO comes before main.
awk '/^  - chapter:/ { chapter = $0; sub(/^  - chapter: ({name: )?"/, "", chapter)
                      sub(/".*/, "", chapter) }
     /^  - (mmap|munmap|mprotect):/ { print chapter ": " $0 }' "$TMP/seed.yaml" > "$TMP/syscalls"
grep -q '^malloc:   - mmap: {name: anon[0-9]*, start: 0x[0-9a-f]*, size: 0x101000, prot: rw-}$' \
    "$TMP/syscalls" || fail "malloc's 1 MiB mmap is not a step of chapter malloc"
grep -q '^end:   - munmap: {addr: 0x[0-9a-f]*, size: 0x101000}$' "$TMP/syscalls" ||
    fail "free's munmap is not a step of chapter end"
grep -q '^Start-up:   - mprotect: {addr: 0x[0-9a-f]*, size: 0x[0-9a-f]*, prot: r--}$' \
    "$TMP/syscalls" || fail "the loader's RELRO mprotect is not a step of Start-up"
grep -q '^Start-up:   - mmap: {name: ld.so.cache.rodata, .*, file: ld.so.cache, offset: 0x0}$' \
    "$TMP/syscalls" || fail "ld.so.cache, mapped and unmapped before main, is not an mmap step"
# Every access lies in an area the scenario maps: no trace step needs
# automatic areas (and compare_chapters found no SIGSEGV).
grep -q 'auto_areas' "$TMP/seed.yaml" && fail "an access lies outside every area"
# Again with memset's 32-byte vector stores instead of rep stosb (which
# Valgrind traces one byte at a time): the last store of the buffer
# crosses into its last page, and must fault it in.
# (Into a name an earlier, longer capture used: none of its traces stay.)
mkdir "$TMP/vector.traces"
touch "$TMP/vector.traces/999.lackey.gz" "$TMP/vector.traces/notes.txt"
GLIBC_TUNABLES=glibc.cpu.x86_rep_stosb_threshold=0x1000000 \
    "$VMVIZ" capture -o "$TMP/vector.yaml" -- "$TMP/seed" > /dev/null 2> "$TMP/err" ||
    { cat "$TMP/err"; fail "capture with vector stores failed"; }
compare_chapters "$TMP/vector.yaml"
[ -e "$TMP/vector.traces/999.lackey.gz" ] && fail "an earlier capture's trace stays"
[ -e "$TMP/vector.traces/notes.txt" ] || fail "a file not a trace was removed"

# --open: the viewer opens on the scenario just written (in tmux, when it
# is installed), and q ends both.
if command -v tmux >/dev/null 2>&1; then
    case $VMVIZ in /*) vmviz_path=$VMVIZ ;; *) vmviz_path=$(pwd)/$VMVIZ ;; esac
    socket=vmviz-capture-$$
    tmux -L "$socket" new-session -d -x 100 -y 30 \
        "cd '$TMP' && VMVIZ_DATA='$(pwd)' '$vmviz_path' capture -o opened.yaml --open -- ./seed; echo \$? > open.status; sleep 30"
    seen=0
    for _ in $(seq 1 120); do
        if tmux -L "$socket" capture-pane -p 2>/dev/null | grep -q "Captured: seed"; then seen=1; break; fi
        sleep 0.5
    done
    [ "$seen" = 1 ] || fail "--open does not show the captured scenario"
    tmux -L "$socket" send-keys q
    for _ in $(seq 1 40); do [ -s "$TMP/open.status" ] && break; sleep 0.25; done
    [ "$(cat "$TMP/open.status" 2>/dev/null)" = 0 ] || fail "--open then q does not exit 0"
    tmux -L "$socket" kill-server 2>/dev/null
fi

# Errors: FILE:LINE:COLUMN and status 2.
expect_error() { # expected-status expected-stderr-prefix args...
    want_status=$1 want=$2; shift 2
    "$@" > /dev/null 2> "$TMP/err"; status=$?
    [ "$status" = "$want_status" ] || fail "'$*' exits $status (expected $want_status)"
    head -n 1 "$TMP/err" | grep -qF -- "$want" || fail "'$*' says: $(head -n 1 "$TMP/err")"
}
# Each error is at the fourth word: after "VMVIZ capture --" or "VMVIZ capture -o".
col=$((${#VMVIZ} + 13))
expect_error 2 "command line:1:$col: error: no program given" "$VMVIZ" capture --
expect_error 2 "command line:1:$col: error: no program '$TMP/none'" \
    "$VMVIZ" capture -- "$TMP/none"
expect_error 2 "command line:1:$col: error: the output 'x.txt' does not end in .yaml" \
    "$VMVIZ" capture -o x.txt -- "$TMP/seed"
mkdir "$TMP/empty"
expect_error 2 "apt-get install valgrind" env PATH="$TMP/empty" "$VMVIZ" capture \
    -o "$TMP/x.yaml" -- "$TMP/seed"

[ "$failed" = 0 ] && echo "capture: passed"
exit "$failed"
