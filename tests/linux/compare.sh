#!/bin/sh
# Runs the Linux probes of tests/linux/ on this machine and compares their
# fault counts with vmviz's, chapter by chapter (see tests/linux/README).
#
#   sh tests/linux/compare.sh        (from the top of the source tree;
#                                     make linux-check does it)
#
# CC (default cc) builds the probes into build/linux/; VMVIZ (default
# ./vmviz) is the program compared. Prints the host facts the comparison
# depends on, one table row per chapter of every scenario, the notes of
# the scenario probes, then the output of every case probe. Exits 0 when
# it ran, whatever the table says, and 2 when it could not run (not Linux
# on x86-64, a probe that does not build, no vmviz).
set -u

CC=${CC:-cc}
VMVIZ=${VMVIZ:-./vmviz}
DIR=tests/linux
OUT=build/linux
KNOWN=$DIR/known-differences
CFLAGS="-O0 -std=gnu11 -Wall -Wextra"
LDFLAGS="-Wl,-z,now" # no lazy binding: no GOT writes inside a measured region

cannot() {
    echo "linux-check: $*" >&2
    exit 2
}

[ -d scenarios ] && [ -d "$DIR" ] || cannot "run me from the top of the source tree"
os=$(uname -s)
arch=$(uname -m)
[ "$os" = Linux ] || cannot "skipped: the probes measure Linux, and this is $os"
[ "$arch" = x86_64 ] || cannot "skipped: the probes are written for x86-64, and this is $arch"
[ -x "$VMVIZ" ] || cannot "$VMVIZ is not an executable (build it first: make)"

# ---- the host ------------------------------------------------------------

# sysfs_choice FILE: the [selected] word of a sysfs setting, or "absent".
sysfs_choice() {
    if [ -r "$1" ]; then
        sed -n 's/.*\[\([^]]*\)\].*/\1/p' "$1"
    else
        echo absent
    fi
}

echo "Host"
echo "  kernel              $(uname -r) ($os)"
echo "  architecture        $arch"
echo "  page size           $(getconf PAGESIZE) bytes"
thp=/sys/kernel/mm/transparent_hugepage
if [ -r $thp/enabled ]; then
    echo "  THP                 enabled=$(sysfs_choice $thp/enabled)" \
        "defrag=$(sysfs_choice $thp/defrag) use_zero_page=$(cat $thp/use_zero_page 2>/dev/null || echo ?)"
    mthp=""
    for d in $thp/hugepages-*kB; do
        [ -r "$d/enabled" ] || continue
        c=$(sysfs_choice "$d/enabled")
        [ "$c" = never ] || mthp="$mthp ${d##*/hugepages-}=$c"
    done
    echo "  THP sizes not off  ${mthp:- none}"
else
    echo "  THP                 not available"
fi
nswap=$(awk 'NR > 1' /proc/swaps 2>/dev/null | wc -l)
if [ "$nswap" -gt 0 ]; then
    echo "  swap                $nswap area(s): $(awk 'NR > 1 { printf "%s %s kB; ", $1, $3 }' /proc/swaps)"
else
    echo "  swap                none configured"
fi
if [ -r /sys/kernel/debug/fault_around_bytes ]; then
    echo "  fault_around_bytes  $(cat /sys/kernel/debug/fault_around_bytes)"
elif grep -q ' debugfs ' /proc/mounts 2>/dev/null; then
    echo "  fault_around_bytes  unreadable (debugfs is mounted, but not readable here)"
else
    echo "  fault_around_bytes  unreadable: debugfs is not mounted (Linux's default is 65536;" \
        "case-fault-around measures the window)"
fi
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
for f in pcid la57; do
    case " $flags " in
    *" $f "*) echo "  CPU flag $f        yes" ;;
    *) echo "  CPU flag $f        no" ;;
    esac
done
if [ -d /sys/bus/event_source/devices/cpu ]; then
    echo "  hardware PMU        present (TLB misses are counted where a probe asks)"
else
    echo "  hardware PMU        none (TLB misses cannot be counted)"
fi
# CAP_SYS_ADMIN (bit 21 of CapEff) is what lets pagemap show frame numbers.
capeff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status 2>/dev/null)
low=${capeff#"${capeff%????????}"}
if [ -n "$low" ] && [ $((($(printf '%d' "0x$low") >> 21) & 1)) -eq 1 ]; then
    echo "  privileges          CAP_SYS_ADMIN: pagemap shows frame numbers, kpageflags is readable"
else
    echo "  privileges          no CAP_SYS_ADMIN: pagemap hides frame numbers (PFN 0), so frame"
    echo "                      identity and folio sizes are not measured"
fi
echo

# ---- build -----------------------------------------------------------------

mkdir -p "$OUT" || cannot "cannot create $OUT"
$CC $CFLAGS -c -o "$OUT/probe.o" "$DIR/probe.c" || cannot "the probes' helpers did not build"
for src in "$DIR"/*.c; do
    name=$(basename "$src" .c)
    [ "$name" = probe ] && continue
    $CC $CFLAGS $LDFLAGS -o "$OUT/$name" "$src" "$OUT/probe.o" || cannot "probe $name did not build"
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmviz-linux.XXXXXX") || cannot "no temporary directory"
trap 'rm -rf "$TMP"' EXIT
trap 'exit 2' INT TERM

# vmviz_chapters SCENARIO: "chapter<TAB>minor<TAB>major" per chapter, the
# op_done changes summed.
vmviz_chapters() {
    "$VMVIZ" run --level op --format json "$1" 2>"$TMP/vmviz.err" | awk '
    # The JSON string value of key in line (escapes undone), or "".
    function jstr(line, key,    i, c, out, s) {
        i = index(line, "\"" key "\":\"")
        if (!i) return ""
        s = substr(line, i + length(key) + 4)
        out = ""
        for (i = 1; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (c == "\"") break
            if (c == "\\") { i++; c = substr(s, i, 1); if (c == "n") c = " "; if (c == "t") c = " " }
            out = out c
        }
        return out
    }
    function jnum(line, key,    i, s) {
        i = index(line, "\"" key "\":")
        if (!i) return 0
        s = substr(line, i + length(key) + 3)
        return s + 0
    }
    BEGIN { cur = "(before the first chapter)"; n = 0 }
    /"event":"chapter"/ {
        cur = jstr($0, "text")
        if (!(cur in seen)) { seen[cur] = 1; order[++n] = cur }
        next
    }
    /"event":"op_done"/ {
        if (!(cur in seen)) { seen[cur] = 1; order[++n] = cur }
        minor[cur] += jnum($0, "minor_faults")
        major[cur] += jnum($0, "major_faults")
    }
    END { for (i = 1; i <= n; i++) printf "%s\t%d\t%d\n", order[i], minor[order[i]], major[order[i]] }
    '
}

# probe_phases FILE: "phase<TAB>minor<TAB>major" or "phase<TAB>skip<TAB>reason"
# for each phase line of a probe's output; "*<TAB>skip<TAB>reason" for a
# probe that skipped as a whole.
probe_phases() {
    awk '
    /^skip: / { printf "*\tskip\t%s\n", substr($0, 7); next }
    /^phase / {
        line = substr($0, 7)
        if (match(line, / minor=[0-9]+ major=[0-9]+$/)) {
            name = substr(line, 1, RSTART - 1)
            rest = substr(line, RSTART + 7)
            split(rest, f, " major=")
            printf "%s\t%d\t%d\n", name, f[1], f[2]
        } else if ((i = index(line, " skip: ")) > 0) {
            printf "%s\tskip\t%s\n", substr(line, 1, i - 1), substr(line, i + 7)
        }
    }' "$1"
}

# ---- the table ------------------------------------------------------------

echo "Scenarios: Linux (the probe) against vmviz, chapter by chapter (faults minor/major)"
echo
printf '%-16s  %-38s  %-9s  %-9s  %s\n' scenario phase Linux vmviz verdict
printf '%-16s  %-38s  %-9s  %-9s  %s\n' -------- ----- ----- ----- -------
: >"$TMP/notes"
for yaml in scenarios/*.yaml; do
    [ -f "$yaml" ] || continue
    name=$(basename "$yaml" .yaml)
    vmviz_chapters "$yaml" >"$TMP/vmviz"
    if [ ! -s "$TMP/vmviz" ]; then
        printf '%-16s  %-38s  %-9s  %-9s  %s\n' "$name" "-" "-" "-" \
            "vmviz failed: $(head -n 1 "$TMP/vmviz.err")"
        continue
    fi
    if [ -x "$OUT/$name" ]; then
        (cd "$TMP" && "$OLDPWD/$OUT/$name") >"$TMP/probe" 2>"$TMP/probe.err"
        status=$?
    else
        echo "skip: no probe tests/linux/$name.c" >"$TMP/probe"
        status=0
    fi
    if [ "$status" -ne 0 ]; then
        echo "skip: the probe failed (exit status $status): $(head -n 1 "$TMP/probe.err")" >"$TMP/probe"
    fi
    if grep -q '^note ' "$TMP/probe"; then
        {
            echo "$name:"
            sed -n 's/^note /  /p' "$TMP/probe"
        } >>"$TMP/notes"
    fi
    probe_phases "$TMP/probe" >"$TMP/linux"
    awk -F '\t' -v scen="$name" -v known="$KNOWN" '
    BEGIN {
        while ((getline line < known) > 0) {
            if (line ~ /^#/ || line == "") continue
            split(line, k, "\t")
            reason[k[1] SUBSEP k[2]] = k[3]
        }
    }
    FILENAME == ARGV[1] { lmin[$1] = $2; lmaj[$1] = $3; if (!($1 in lseen)) { lseen[$1] = 1; lord[++nl] = $1 }; next }
    { vmin[$1] = $2; vmaj[$1] = $3; vord[++nv] = $1 }
    function row(phase, l, v, verdict) {
        printf "%-16s  %-38s  %-9s  %-9s  %s\n", scen, phase, l, v, verdict
    }
    END {
        whole = ("*" in lseen)
        for (i = 1; i <= nv; i++) {
            p = vord[i]
            v = vmin[p] "/" vmaj[p]
            if (whole) { row(p, "-", v, "skipped: " lmaj["*"]); continue }
            if (!(p in lseen)) { row(p, "-", v, "no such phase in the probe"); continue }
            if (lmin[p] == "skip") { row(p, "-", v, "skipped: " lmaj[p]); continue }
            l = lmin[p] "/" lmaj[p]
            if (lmin[p] == vmin[p] && lmaj[p] == vmaj[p]) { row(p, l, v, "agree"); continue }
            why = ((scen SUBSEP p) in reason) ? "  stated: " reason[scen SUBSEP p] : ""
            row(p, l, v, "DIFFER" why)
        }
        for (i = 1; i <= nl; i++) {
            p = lord[i]
            if (p == "*" || (p in vmin)) continue
            row(p, (lmin[p] == "skip" ? "-" : lmin[p] "/" lmaj[p]), "-", "not a chapter of the scenario")
        }
    }' "$TMP/linux" "$TMP/vmviz"
done
echo
echo "Linux and vmviz count faults per chapter, every process of the scenario summed;"
echo "\"stated:\" quotes the simplification of vmviz(1) that accounts for a difference."
echo

echo "Notes from the scenario probes"
echo
cat "$TMP/notes"
echo

# ---- the case probes -------------------------------------------------------

echo "Case probes (no scenario of the library covers these yet)"
for bin in "$OUT"/case-*; do
    [ -x "$bin" ] || continue
    echo
    echo "== $(basename "$bin")"
    (cd "$TMP" && "$OLDPWD/$bin") 2>&1
    status=$?
    [ "$status" -eq 0 ] || echo "(the probe failed: exit status $status)"
done
exit 0
