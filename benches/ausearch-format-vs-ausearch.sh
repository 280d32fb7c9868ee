#!/usr/bin/env bash
# ausearch-format (crate audit-tools) against the C `ausearch --format csv|text` on one log,
# in one run: the two programs alternate, N times each, and the script prints each
# time (wall and CPU), the medians, MB/s and how many times faster ours is. Both outputs are
# compared byte for byte first.
#
#   cargo build --release -p audit-tools --bin ausearch-format -p audit-bench --bin gen-log
#   target/release/gen-log --in-order 222 /tmp/busy.log tests/data/captured/busy.log
#   benches/ausearch-format-vs-ausearch.sh /tmp/busy.log 5 csv text
#
# Arguments: LOG [N (default 5)] [FORMAT... (default csv text)]. The binary is
# taken from $AUSEARCH_FORMAT, else $CARGO_TARGET_DIR/release, else
# target/release. Needs `ausearch` (apt-get install -y auditd).
set -euo pipefail
log=${1:?usage: $0 LOG [N] [FORMAT...]}
n=${2:-5}
shift $(($# < 2 ? $# : 2))
formats=("$@")
[ ${#formats[@]} -gt 0 ] || formats=(csv text)
here=$(cd "$(dirname "$0")/.." && pwd)
ours=${AUSEARCH_FORMAT:-${CARGO_TARGET_DIR:-$here/target}/release/ausearch-format}
[ -x "$ours" ] || { echo "no $ours: cargo build --release -p audit-tools --bin ausearch-format" >&2; exit 2; }
command -v ausearch >/dev/null || { echo "no ausearch: apt-get install -y auditd" >&2; exit 2; }
export LC_ALL=C TZ=UTC
bytes=$(stat -c %s "$log")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One run, its output to $1: prints "WALL CPU" in seconds (CPU = user + system, the
# figure that stays put on a machine shared with other work).
run() {
  local out=$1
  shift
  /usr/bin/time -f '%e %U %S' -o "$tmp/time" "$@" >"$out" 2>/dev/null || [ $? -eq 1 ]
  awk '{printf "%s %.2f\n", $1, $2 + $3}' "$tmp/time"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "log: $log ($bytes bytes), $n runs each, alternating"
for fmt in "${formats[@]}"; do
  : >"$tmp/c.times"
  : >"$tmp/r.times"
  for i in $(seq "$n"); do
    read -r cw cc < <(run "$tmp/c.out" ausearch --format "$fmt" -if "$log")
    read -r rw rc < <(run "$tmp/r.out" "$ours" --format "$fmt" "$log")
    echo "$cw $cc" >>"$tmp/c.times"
    echo "$rw $rc" >>"$tmp/r.times"
    printf '  %s run %d: ausearch %.2f s (CPU %.2f s), ausearch-format %.2f s (CPU %.2f s)\n' \
      "$fmt" "$i" "$cw" "$cc" "$rw" "$rc"
    if [ "$i" -eq 1 ] && ! cmp -s "$tmp/c.out" "$tmp/r.out"; then
      echo "  OUTPUTS DIFFER (--format $fmt)" >&2
      exit 1
    fi
  done
  for col in 1 2; do
    what=$([ $col -eq 1 ] && echo "wall" || echo "CPU")
    mc=$(cut -d' ' -f$col "$tmp/c.times" | median)
    mr=$(cut -d' ' -f$col "$tmp/r.times" | median)
    printf '%s, median %s: ausearch %.2f s (%.1f MB/s), ausearch-format %.2f s (%.1f MB/s): %.2fx faster\n' \
      "$fmt" "$what" "$mc" "$(echo "$bytes / $mc / 1000000" | bc -l)" \
      "$mr" "$(echo "$bytes / $mr / 1000000" | bc -l)" "$(echo "$mc / $mr" | bc -l)"
  done
done
