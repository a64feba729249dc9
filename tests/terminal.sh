#!/bin/sh
# End-to-end tests of the viewer in a real terminal (tmux): the binary is
# started at 80x24 and 120x40, keys are sent, the screen is captured and
# checked; stepping forward then back gives the same screen; q, Ctrl-C and
# SIGTERM leave with the expected status and the terminal restored; a
# paused viewer uses no CPU. On a scenario whose end takes many seconds to
# reach, End shows its progress, and q, SIGINT, SIGTERM and SIGHUP sent
# meanwhile end the viewer within a second with the terminal as it was,
# while Esc stops it where it got to. A terminal that cannot move the
# cursor (TERM=dumb) is refused and left untouched; the picker lists no
# FIFO. A key file (--keys) plays its keys; a recording (--record) of it,
# through a resize, replayed into a fresh terminal of the same size shows
# exactly the viewer's last screen, and so does `run --format cast` the
# scenario's end.
#
#   VMVIZ=build/check/vmviz CASTCAT=build/check/tools/castcat sh tests/terminal.sh
#       (from the repo top; without CASTCAT the recordings are not checked)
#
# Skips (status 0) only when tmux is missing.
set -u

VMVIZ=${VMVIZ:-./vmviz}
# The scenarios and themes of this tree, whatever the binary finds itself.
VMVIZ_DATA=${VMVIZ_DATA:-$(pwd)}
export VMVIZ_DATA
if ! command -v tmux >/dev/null 2>&1; then
    echo "terminal.sh: tmux not found: skipped"
    exit 0
fi
if [ ! -x "$VMVIZ" ]; then
    echo "terminal.sh: $VMVIZ is not an executable (build it first)" >&2
    exit 1
fi
case $VMVIZ in /*) ;; *) VMVIZ=$(pwd)/$VMVIZ ;; esac

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmviz-term.XXXXXX") || exit 1
SOCK="vmviz-test-$$"
T="tmux -L $SOCK -f /dev/null"
PASSED=0
FAILED=0

cleanup() {
    $T kill-server 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# tmux ends its server when its last session closes. A test that closes its
# session and the next that opens one would race that ending ("server exited
# unexpectedly"), so one idle session keeps the server up from here to the
# cleanup.
$T new-session -d -s keeper -x 80 -y 24 "sleep 86400" || {
    echo "terminal.sh: tmux could not start a server" >&2
    exit 1
}

# new_session ARGS...: tmux new-session -d ARGS, tried again after a short
# pause should the server not answer the first time.
new_session() {
    for attempt in 1 2 3; do
        if $T new-session -d "$@"; then return 0; fi
        echo "terminal.sh: tmux new-session failed (attempt $attempt)" >&2
        sleep 0.3
    done
    return 1
}

ok() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
fail() {
    FAILED=$((FAILED + 1))
    echo "FAIL $1"
    if [ -f "$TMP/screen" ]; then sed 's/^/     | /' "$TMP/screen"; fi
}

# start NAME COLS ROWS ARGS...: runs the viewer in a new session; its exit
# status goes to $TMP/NAME.status and the tty modes after it to NAME.stty.
start() {
    name=$1 cols=$2 rows=$3
    shift 3
    rm -f "$TMP/$name.status" "$TMP/$name.stty" "$TMP/$name.stty0" "$TMP/$name.pid"
    # The wrapper ignores SIGINT so that Ctrl-C reaches only the viewer
    # (which installs its own handler) and the wrapper can report.
    cat >"$TMP/$name.sh" <<SCRIPT
trap '' INT
stty -a >"$TMP/$name.stty0" 2>&1
"$VMVIZ" $* </dev/tty &
echo \$! >"$TMP/$name.pid"
wait \$!
echo \$? >"$TMP/$name.status"
stty -a >"$TMP/$name.stty" 2>&1
sleep 60
SCRIPT
    new_session -s "$name" -x "$cols" -y "$rows" "sh $TMP/$name.sh"
}

capture() { $T capture-pane -p -t "$1" >"$TMP/screen" 2>/dev/null; }

# wait_for NAME TEXT [TENTHS]: polls the screen (up to 5 s, or TENTHS
# tenths of a second) until it shows TEXT.
wait_for() {
    i=0
    while [ $i -lt "${3:-50}" ]; do
        capture "$1"
        if grep -q -- "$2" "$TMP/screen"; then return 0; fi
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# wait_status NAME: waits (up to 5 s) for the viewer to exit; prints status.
wait_status() {
    i=0
    while [ $i -lt 50 ]; do
        if [ -s "$TMP/$1.status" ] && [ -s "$TMP/$1.stty" ]; then
            cat "$TMP/$1.status"
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    echo none
}

# The tty is back in cooked mode with echo after the viewer left.
tty_restored() {
    grep -q -- ' icanon' "$TMP/$1.stty" && grep -q -- ' echo ' "$TMP/$1.stty" &&
        ! grep -q -- '-icanon' "$TMP/$1.stty"
}

# The tty modes after the viewer are exactly those before it, and the pane
# is back on the normal screen.
terminal_as_before() {
    cmp -s "$TMP/$1.stty0" "$TMP/$1.stty" &&
        [ "$($T display-message -p -t "$1" '#{alternate_on}')" = 0 ]
}

now_ms() { date +%s%3N; }

keys() {
    name=$1
    shift
    $T send-keys -t "$name" "$@"
    sleep 0.2
}

LAZY=scenarios/lazy-allocation.yaml
SWAP=scenarios/swapping.yaml

# --- 80x24: the panels, a fault, back and forth, q --------------------
start small 80 24 "$LAZY"
if wait_for small "Page walk"; then
    for text in "Access" "TLB" "Physical memory" "What happened" "Processes" "Swap"; do
        if grep -q "$text" "$TMP/screen"; then ok "80x24 shows $text"; else fail "80x24 shows $text"; fi
    done
else
    fail "80x24 starts"
fi
keys small f
if wait_for small "PAGE FAULT"; then ok "f runs to a page fault"; else fail "f runs to a page fault"; fi
keys small l l l
capture small
cp "$TMP/screen" "$TMP/before"
keys small l l l l l l l l l l
keys small h h h h h h h h h h
capture small
if cmp -s "$TMP/before" "$TMP/screen"; then ok "10 steps forward then 10 back: same screen"
else diff "$TMP/before" "$TMP/screen" | head -20; fail "10 steps forward then 10 back: same screen"; fi
keys small PageDown PageDown Right
if wait_for small "step 12"; then ok "PgDn and Right step (clicker keys)"; else fail "PgDn and Right step (clicker keys)"; fi
keys small PageUp Left
if wait_for small "step 10"; then ok "PgUp and Left step back"; else fail "PgUp and Left step back"; fi
keys small '?'
if wait_for small "run to the next page fault"; then ok "? shows the keys"; else fail "? shows the keys"; fi
keys small Escape
keys small L
if wait_for small "Event log, newest last"; then ok "L shows the event log at 80x24"; else fail "L shows the event log at 80x24"; fi
keys small L
keys small Escape
if wait_for small "Leave for the list" 10; then fail "Esc without the picker offers to leave"
else ok "Esc without the picker stays in the scenario"; fi
keys small F5
if wait_for small "Presenter mode: the step's panel large"; then ok "F5 (a clicker's button) turns presenter mode on"
else fail "F5 (a clicker's button) turns presenter mode on"; fi
keys small b
capture small
if ! grep -q '[^ ]' "$TMP/screen"; then ok "b blanks the screen"; else fail "b blanks the screen"; fi
keys small PageDown
if wait_for small "step 10"; then ok "the key after b only uncovers the screen"; else fail "the key after b only uncovers the screen"; fi
keys small q
if wait_for small "Quit vmviz? You are at step 10"; then ok "q asks first once the scenario has moved"
else fail "q asks first once the scenario has moved"; fi
keys small Escape
if wait_for small "Quit vmviz?" 10; then fail "Esc answers no"; else ok "Esc answers no"; fi
keys small q y
st=$(wait_status small)
if [ "$st" = 0 ]; then ok "q y quits with status 0"; else fail "q y quits with status 0 (got $st)"; fi
if tty_restored small; then ok "q restores the terminal"; else fail "q restores the terminal"; fi
$T kill-session -t small 2>/dev/null

# --- 120x40: eviction, swap-in, resize --------------------------------
start big 120 40 "$SWAP"
wait_for big "Event log" >/dev/null
keys big e
if wait_for big "victim_chosen"; then ok "e runs to an eviction (120x40)"; else fail "e runs to an eviction (120x40)"; fi
keys big Right Right Right  # unmapped, TLB invalidate, then the write-out
if wait_for big "swap_out"; then ok "the dirty victim goes to swap"; else fail "the dirty victim goes to swap"; fi
keys big ']' ']'
keys big f
keys big s
if wait_for big "by access"; then ok "s changes the step size"; else fail "s changes the step size"; fi
$T resize-window -t big -x 60 -y 20
if wait_for big "Terminal too small"; then ok "a small terminal says so"; else fail "a small terminal says so"; fi
$T resize-window -t big -x 120 -y 40
if wait_for big "Page walk"; then ok "growing back restores the screen"; else fail "growing back restores the screen"; fi

# A paused viewer blocks in getch: no CPU time goes by.
pid=$(cat "$TMP/big.pid" 2>/dev/null)
if [ -n "$pid" ] && [ -r "/proc/$pid/stat" ]; then
    t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    sleep 1
    t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    if [ $((t1 - t0)) -le 2 ]; then ok "no CPU while paused"; else fail "no CPU while paused ($((t1 - t0)) ticks)"; fi
fi

# SIGTERM: the handler only sets a flag; the loop restores the terminal.
if [ -n "$pid" ]; then
    kill -TERM "$pid"
    st=$(wait_status big)
    if [ "$st" = 143 ]; then ok "SIGTERM exits with 143"; else fail "SIGTERM exits with 143 (got $st)"; fi
    if tty_restored big; then ok "SIGTERM restores the terminal"; else fail "SIGTERM restores the terminal"; fi
fi
$T kill-session -t big 2>/dev/null

# --- Ctrl-C ----------------------------------------------------------
start intr 80 24 "$LAZY"
wait_for intr "Page walk" >/dev/null
keys intr C-c
st=$(wait_status intr)
if [ "$st" = 130 ]; then ok "Ctrl-C exits with 130"; else fail "Ctrl-C exits with 130 (got $st)"; fi
if tty_restored intr; then ok "Ctrl-C restores the terminal"; else fail "Ctrl-C restores the terminal"; fi
$T kill-session -t intr 2>/dev/null

# --- long computations: End on a run of hundreds of millions of steps ---
LONG=tests/data/tui/long-run.yaml

# interrupt_end NAME HOW STATUS: presses End on the long scenario and, once
# the progress line shows it computing, interrupts it with HOW (a key for
# tmux, or -SIGNAL for kill). The viewer must end within a second with
# STATUS, the tty modes as before it started and the normal screen back.
interrupt_end() {
    name=$1 how=$2 want=$3
    start "$name" 100 30 "$LONG"
    # A loaded machine may take a while to start the sanitized viewer.
    if ! wait_for "$name" "Page walk" 150; then fail "$name: the long scenario opens"; return; fi
    keys "$name" End
    if wait_for "$name" "Going to the end: [0-9]*% of the accesses, step"; then ok "$name: End shows its progress"
    else fail "$name: End shows its progress"; return; fi
    pid=$(cat "$TMP/$name.pid")
    t0=$(now_ms)
    case $how in
    -*) kill "$how" "$pid" ;;
    *) for k in $how; do $T send-keys -t "$name" "$k"; done ;;
    esac
    i=0
    while [ $i -lt 250 ] && ! { [ -s "$TMP/$name.status" ] && [ -s "$TMP/$name.stty" ]; }; do
        sleep 0.02
        i=$((i + 1))
    done
    ms=$(($(now_ms) - t0))
    st=$(cat "$TMP/$name.status" 2>/dev/null || echo none)
    if [ "$st" = "$want" ] && [ "$ms" -le 1000 ]; then ok "$name: $how during End ends it in $ms ms with $want"
    else fail "$name: $how during End ends it within 1000 ms with $want (got $st after $ms ms)"; fi
    if terminal_as_before "$name"; then ok "$name: the terminal is as before"
    else diff "$TMP/$name.stty0" "$TMP/$name.stty" | head -10; fail "$name: the terminal is as before"; fi
    $T kill-session -t "$name" 2>/dev/null
}

# q stops the move and asks; y answers.
interrupt_end end-q "q y" 0
interrupt_end end-ctrl-c C-c 130
interrupt_end end-int -INT 130
interrupt_end end-term -TERM 143
interrupt_end end-hup -HUP 129

# Esc stops End where it got to: the viewer goes on, and the status line
# shows the step named in the message.
start end-esc 100 30 "$LONG"
wait_for end-esc "Page walk" 150 >/dev/null
keys end-esc End
wait_for end-esc "Going to the end: [0-9]*% of the accesses, step" >/dev/null
keys end-esc Escape
if wait_for end-esc "Stopped by Esc at step"; then
    at=$(sed -n 's/.*Stopped by Esc at step \([0-9]*\)\..*/\1/p' "$TMP/screen" | head -n 1)
    if [ -n "$at" ] && [ "$at" -gt 0 ] && head -n 1 "$TMP/screen" | grep -q "| step $at "; then
        ok "Esc stops End at a step the status line shows ($at)"
    else fail "Esc stops End at a step the status line shows"; fi
    if head -n 1 "$TMP/screen" | grep -q "(end)"; then fail "Esc leaves the viewer short of the end"
    else ok "Esc leaves the viewer short of the end"; fi
else
    fail "Esc stops End and says where"
    at=
fi
keys end-esc Left
if [ -n "${at:-}" ] && wait_for end-esc "| step $((at - 1)) "; then ok "after Esc, one step back is one step back"
else fail "after Esc, one step back is one step back"; fi
keys end-esc q y
st=$(wait_status end-esc)
if [ "$st" = 0 ]; then ok "after Esc, q quits with 0"; else fail "after Esc, q quits with 0 (got $st)"; fi
if terminal_as_before end-esc; then ok "after Esc and q, the terminal is as before"; else fail "after Esc and q, the terminal is as before"; fi
$T kill-session -t end-esc 2>/dev/null

# --- a terminal that cannot move the cursor ------------------------------
cat >"$TMP/dumb.sh" <<SCRIPT
stty -a >"$TMP/dumb.stty0" 2>&1
TERM=dumb "$VMVIZ" "$LAZY" 2>"$TMP/dumb.err"
echo \$? >"$TMP/dumb.status"
stty -a >"$TMP/dumb.stty" 2>&1
sleep 60
SCRIPT
rm -f "$TMP/dumb.status"
new_session -s dumb -x 80 -y 24 "sh $TMP/dumb.sh"
st=$(wait_status dumb)
if [ "$st" = 2 ] && [ "$(wc -l <"$TMP/dumb.err")" -eq 1 ] &&
    grep -q "cannot move the cursor.*vmviz run" "$TMP/dumb.err"; then
    ok "TERM=dumb: status 2 and one line pointing to vmviz run"
else cat "$TMP/dumb.err"; fail "TERM=dumb: status 2 and one line pointing to vmviz run (got $st)"; fi
if terminal_as_before dumb; then ok "TERM=dumb: the terminal is untouched"; else fail "TERM=dumb: the terminal is untouched"; fi
$T kill-session -t dumb 2>/dev/null

# --- NO_COLOR, the picker, bad input ------------------------------------
cat >"$TMP/mono.sh" <<SCRIPT
NO_COLOR=1 "$VMVIZ" "$LAZY"
echo \$? >"$TMP/mono.status"
stty -a >"$TMP/mono.stty"
sleep 60
SCRIPT
rm -f "$TMP/mono.status"
new_session -s mono -x 120 -y 40 "sh $TMP/mono.sh"
if wait_for mono "theme mono"; then ok "NO_COLOR selects the mono theme"; else fail "NO_COLOR selects the mono theme"; fi
keys mono t
if wait_for mono "Theme: "; then ok "t changes the theme"; else fail "t changes the theme"; fi
keys mono q
st=$(wait_status mono)
if [ "$st" = 0 ]; then ok "mono: q quits with 0"; else fail "mono: q quits with 0 (got $st)"; fi
$T kill-session -t mono 2>/dev/null

start pick 80 24
if wait_for pick "choose a scenario"; then ok "no scenario: the picker"; else fail "no scenario: the picker"; fi
keys pick Down Enter
if wait_for pick "Page walk"; then ok "Enter opens a scenario"; else fail "Enter opens a scenario"; fi
keys pick q
st=$(wait_status pick)
if [ "$st" = 0 ]; then ok "picker: q quits with 0"; else fail "picker: q quits with 0 (got $st)"; fi
$T kill-session -t pick 2>/dev/null

# A FIFO named like a scenario is not opened (nothing would ever write to
# it): the picker shows the regular files only.
mkdir -p "$TMP/fifo/scenarios"
ln -s "$VMVIZ_DATA/themes" "$TMP/fifo/themes"
cp "$LAZY" "$TMP/fifo/scenarios/a.yaml"
if mkfifo "$TMP/fifo/scenarios/x.yaml" 2>/dev/null; then
    cat >"$TMP/fifopick.sh" <<SCRIPT
VMVIZ_DATA="$TMP/fifo" "$VMVIZ"
echo \$? >"$TMP/fifopick.status"
stty -a >"$TMP/fifopick.stty"
sleep 60
SCRIPT
    rm -f "$TMP/fifopick.status"
    new_session -s fifopick -x 80 -y 24 "sh $TMP/fifopick.sh"
    if wait_for fifopick "(a.yaml)" && ! grep -q "x.yaml" "$TMP/screen"; then ok "the picker lists regular files only (no FIFO)"
    else fail "the picker lists regular files only (no FIFO)"; fi
    keys fifopick q
    st=$(wait_status fifopick)
    if [ "$st" = 0 ]; then ok "picker with a FIFO beside: q quits with 0"; else fail "picker with a FIFO beside: q quits with 0 (got $st)"; fi
    $T kill-session -t fifopick 2>/dev/null
fi

# --- recordings and key files ------------------------------------------
CASTCAT=${CASTCAT:-}
case $CASTCAT in /*|'') ;; *) CASTCAT=$(pwd)/$CASTCAT ;; esac

# replay NAME CAST COLS ROWS: prints what the cast sent the terminal into
# a new terminal of that size, with no newline translation (as a cast
# player does), and leaves its screen in $TMP/screen.
replay() {
    rm -f "$TMP/$1.done"
    cat >"$TMP/$1.sh" <<SCRIPT
stty -onlcr
"$CASTCAT" "$2"
: >"$TMP/$1.done"
sleep 60
SCRIPT
    new_session -s "$1" -x "$3" -y "$4" "sh $TMP/$1.sh"
    i=0
    while [ $i -lt 50 ] && [ ! -f "$TMP/$1.done" ]; do sleep 0.1; i=$((i + 1)); done
    sleep 0.2
    capture "$1"
}

if [ -n "$CASTCAT" ] && [ -x "$CASTCAT" ]; then
    cat >"$TMP/demo.keys" <<'KEYS'
# to the first fault, three steps, then the step size
f @300ms l l <Right>
@200ms s
KEYS
    start rec 80 24 --record "$TMP/rec.cast" --keys "$TMP/demo.keys" "$LAZY"
    if wait_for rec "Step size: one access" 100; then ok "--keys plays a key file"
    else fail "--keys plays a key file"; fi
    $T resize-window -t rec -x 120 -y 40
    if wait_for rec "theme default"; then ok "a recorded viewer follows a resize"
    else fail "a recorded viewer follows a resize"; fi
    sleep 0.3
    capture rec
    cp "$TMP/screen" "$TMP/rec.final"
    kill -TERM "$(cat "$TMP/rec.pid")"
    st=$(wait_status rec)
    # The size changed on purpose: the modes and the normal screen are back.
    if [ "$st" = 143 ] && tty_restored rec && [ "$($T display-message -p -t rec '#{alternate_on}')" = 0 ]
    then ok "a recorded viewer ends on SIGTERM, the terminal restored"
    else fail "a recorded viewer ends on SIGTERM, the terminal restored (got $st)"; fi
    $T kill-session -t rec 2>/dev/null
    info=$("$CASTCAT" -i "$TMP/rec.cast")
    outputs=$(echo "$info" | cut -d' ' -f2)
    if [ "${info%% *}" = 80x24 ] && [ "${outputs:-0}" -ge 6 ] && [ "${info##* }" = 1 ]; then
        ok "the recording is a valid asciicast: $info (size, outputs, resizes)"
    else fail "the recording is a valid asciicast (got '$info')"; fi
    replay rec-replay "$TMP/rec.cast" 120 40
    if cmp -s "$TMP/rec.final" "$TMP/screen"; then ok "the recording replays to the viewer's last screen"
    else diff "$TMP/rec.final" "$TMP/screen" | head -20; fail "the recording replays to the viewer's last screen"; fi
    $T kill-session -t rec-replay 2>/dev/null

    # A script that quits ends the viewer; q may ask first, y answers.
    printf 'l l q y\n' >"$TMP/quit.keys"
    start recq 80 24 --record "$TMP/quit.cast" --keys "$TMP/quit.keys" "$LAZY"
    st=$(i=0; while [ $i -lt 10 ] && [ ! -s "$TMP/recq.status" ]; do sleep 0.5; i=$((i + 1)); done; wait_status recq)
    if [ "$st" = 0 ] && "$CASTCAT" -i "$TMP/quit.cast" >/dev/null; then ok "a key file that quits ends the viewer with 0 and a valid recording"
    else fail "a key file that quits ends the viewer with 0 and a valid recording (got $st)"; fi
    $T kill-session -t recq 2>/dev/null

    "$VMVIZ" run --format cast "$LAZY" >"$TMP/run.cast" 2>"$TMP/err"
    st=$?
    info=$("$CASTCAT" -i "$TMP/run.cast")
    if [ "$st" = 0 ] && [ "${info%% *}" = 80x24 ]; then ok "run --format cast writes a valid asciicast: $info"
    else cat "$TMP/err"; fail "run --format cast writes a valid asciicast (got $st, '$info')"; fi
    replay run-replay "$TMP/run.cast" 80 24
    if head -n 1 "$TMP/screen" | grep -q "op 18/18" && grep -q "second memset runs without a single fault" "$TMP/screen"
    then ok "run --format cast replays to the scenario's end"
    else fail "run --format cast replays to the scenario's end"; fi
    $T kill-session -t run-replay 2>/dev/null
else
    echo "terminal.sh: CASTCAT not set: recordings not checked"
fi

# --- Trying it live: a typed step, an error in place, :save, check ----
start live 80 24 "$LAZY"
if wait_for live "Page walk"; then
    keys live G
    keys live :
    keys live -l 'write stak+0x1000'
    keys live Enter
    if wait_for live "live:1:7: error: unknown area 'stak'"; then ok "a typed mistake is shown at its column"
    else fail "a typed mistake is shown at its column"; fi
    keys live Escape
    keys live :
    keys live -l 'write stack+0x1000'
    keys live Enter
    if wait_for live "op 19/19"; then ok "a typed step joins the timeline"; else fail "a typed step joins the timeline"; fi
    keys live :
    keys live -l "save $TMP/live.yaml"
    keys live Enter
    if wait_for live "Saved with 1 typed step"; then ok ":save says so"; else fail ":save says so"; fi
    keys live q y
    st=$(wait_status live)
    if [ "$st" = 0 ] && "$VMVIZ" check "$TMP/live.yaml" >"$TMP/out" 2>&1 &&
        grep -q "^  - write: stack+0x1000$" "$TMP/live.yaml"
    then ok "the saved scenario passes vmviz check"
    else cat "$TMP/out"; fail "the saved scenario passes vmviz check (got $st)"; fi
else
    fail "the viewer starts for the live prompt"
fi
$T kill-session -t live 2>/dev/null

# A missing theme is bad input: status 2 and a message, no screen left over.
rm -f "$TMP/screen"
"$VMVIZ" --theme no-such-theme "$LAZY" </dev/null >"$TMP/out" 2>"$TMP/err"
st=$?
if [ $st = 2 ] && grep -q "^command line:1:[0-9]*: error: unknown theme 'no-such-theme' (expected " "$TMP/err"; then ok "a bad theme: status 2 and FILE:LINE:COLUMN: error: ..."
else cat "$TMP/err"; fail "a bad theme: status 2 and FILE:LINE:COLUMN: error: ... (got $st)"; fi

echo "terminal: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
