#!/usr/bin/env bash
# audit-daemon against auditd 3.0.9 on the same exec storm, in one run: the two
# daemons alternate, ROUNDS times each, each with the same auditd.conf (RAW log,
# the same `flush`) and one plugin (a `cat` into /dev/null, format string). One
# audited rule: execve by the storm's parent (`-F ppid`), the storm being
# `xargs -P NPROC` running /bin/true as fast as this machine forks. Per run it
# prints the events logged, the storm's exec rate, the daemon's CPU per event
# (utime + stime from /proc/PID/stat before the storm and once every event is in
# the log, divided by the events), the kernel's `lost` counter delta and its
# backlog_wait_time_actual (time the storm's tasks waited for a full backlog,
# reset before each run), with each daemon thread's CPU per event on stderr;
# then the medians and how many times less CPU per event ours uses.
#
#   cargo build --release -p audit-tools --bin audit-daemon
#   benches/daemon-vs-auditd.sh [EXECS (20000)] [ROUNDS (3)] [FLUSH (incremental_async)]
#
# The daemon binary is $AUDIT_DAEMON, else $CARGO_TARGET_DIR/release/audit-daemon,
# else target/release/audit-daemon. With $AUDIT_DAEMON_BASE (another build of it,
# such as the one before a change), that one runs too, as "base", alternating
# with the two: a change's effect measured in one run. Needs root, /usr/sbin/auditd (apt-get install
# -y auditd) and no audit daemon registered; takes the live tests' lock, leaves
# the kernel's audit state (enabled, rules, backlog_wait_time_actual) as it was
# and stops the daemons it started by pid. The kernel's backlog limit is left as
# it is (printed).
set -euo pipefail
execs=${1:-20000}
rounds=${2:-3}
flush=${3:-incremental_async}
here=$(cd "$(dirname "$0")/.." && pwd)
ours=${AUDIT_DAEMON:-${CARGO_TARGET_DIR:-$here/target}/release/audit-daemon}
base=${AUDIT_DAEMON_BASE:-}
daemons="ours auditd"
[ -z "$base" ] || daemons="base ours auditd"
[ -z "$base" ] || [ -x "$base" ] || { echo "no $base" >&2; exit 2; }
auditd=/usr/sbin/auditd
[ -x "$ours" ] || { echo "no $ours: cargo build --release -p audit-tools --bin audit-daemon" >&2; exit 2; }
[ -x "$auditd" ] || { echo "no $auditd: apt-get install -y auditd" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
export LC_ALL=C

# The live tests' machine-wide lock (audit-testlock): one user of the kernel's
# audit state at a time.
lock=/run/lock/linux-audit-rs-live-tests.lock
[ -d /run/lock ] || lock=/tmp/linux-audit-rs-live-tests.lock
exec 9>>"$lock"
flock 9

status() { auditctl -s | awk -v k="$1" '$1 == k {print $2}'; }
[ "$(status pid)" = 0 ] || { echo "an audit daemon (pid $(status pid)) is registered: not displacing it" >&2; exit 2; }

tmp=$(mktemp -d)
key=bench-daemon-$$
enabled=$(status enabled)
daemon_pid=
storm_pid=
rule=()
cleanup() {
  [ -z "$storm_pid" ] || kill "$storm_pid" 2>/dev/null || true
  [ ${#rule[@]} -eq 0 ] || auditctl -d "${rule[@]}" >/dev/null 2>&1 || true
  if [ -n "$daemon_pid" ]; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  [ "$(status enabled)" = "$enabled" ] || auditctl -e "$enabled" >/dev/null
  auditctl --reset_backlog_wait_time_actual 0 >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
[ "$enabled" != 0 ] || auditctl -e 1 >/dev/null
auditctl --reset_backlog_wait_time_actual 0 >/dev/null 2>&1 || true

# The plugin both daemons run (auditd gives its plugins no stdout).
printf '#!/bin/sh\nexec cat > /dev/null\n' >"$tmp/plugin"
chmod 750 "$tmp/plugin"
ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Each thread's name and CPU ticks: "TID NAME TICKS" lines (names without spaces).
thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s %s %s\n' "${t##*/}" "$(tr ' ' _ <"$t/comm")" "$(awk '{print $14 + $15}' "$t/stat")"
  done
}

# One storm under one daemon ("ours" or "auditd"): prints
# "NAME EVENTS EXECS_PER_S US_PER_EVENT LOST".
run() {
  local name=$1 dir=$tmp/$1-$2
  mkdir -p "$dir/plugins.d"
  chmod 755 "$dir"
  cat >"$dir/auditd.conf" <<EOF
log_file = $dir/audit.log
log_format = RAW
flush = $flush
freq = 50
max_log_file = 1000
max_log_file_action = IGNORE
space_left = 2
admin_space_left = 1
space_left_action = IGNORE
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
q_depth = 2000
plugin_dir = $dir/plugins.d
EOF
  printf 'active = yes\ndirection = out\npath = %s\ntype = always\nformat = string\n' \
    "$tmp/plugin" >"$dir/plugins.d/cat.conf"
  chmod 640 "$dir/auditd.conf" "$dir/plugins.d/cat.conf"
  if [ "$name" = ours ]; then
    "$ours" -f -n -s nochange -c "$dir" 2>"$dir/err" &
  elif [ "$name" = base ]; then
    "$base" -f -n -s nochange -c "$dir" 2>"$dir/err" &
  else
    "$auditd" -n -s nochange -c "$dir" 2>"$dir/err" &
  fi
  daemon_pid=$!
  local i=0
  until [ "$(status pid)" = "$daemon_pid" ]; do
    i=$((i + 1))
    [ $i -lt 300 ] && kill -0 "$daemon_pid" 2>/dev/null || { echo "$name did not register: $(cat "$dir/err")" >&2; exit 1; }
    sleep 0.05
  done
  # The storm's shell waits on a fifo, so that the rule can name its pid first;
  # `exec` keeps that pid for xargs, the parent of every /bin/true.
  # Its arguments come from a file: nothing else it starts is an exec of the rule.
  mkfifo "$dir/go"
  seq "$execs" >"$dir/args"
  (read -r _ <"$dir/go"; exec xargs -a "$dir/args" -P "$(nproc)" -n 1 /bin/true) &
  storm_pid=$!
  rule=(always,exit -F arch=b64 -S execve -F "ppid=$storm_pid" -k "$key")
  auditctl -a "${rule[@]}" >/dev/null
  local lost0 cpu0 t0 t1 events trues
  auditctl --reset_backlog_wait_time_actual 0 >/dev/null 2>&1 || true
  lost0=$(status lost)
  cpu0=$(cpu_ticks "$daemon_pid")
  thread_ticks "$daemon_pid" >"$dir/threads0"
  t0=$(date +%s.%N)
  echo go >"$dir/go"
  wait "$storm_pid"
  storm_pid=
  t1=$(date +%s.%N)
  i=0
  # Complete when every /bin/true is in the log; the events are all of the rule's.
  until trues=$(grep -c "^type=SYSCALL .* comm=\"true\" .* key=\"$key\"" "$dir/audit.log" || true); [ "$trues" -ge "$execs" ] || [ $i -ge 600 ]; do
    i=$((i + 1))
    sleep 0.1
  done
  events=$(grep -c "^type=SYSCALL .* key=\"$key\"" "$dir/audit.log" || true)
  [ "$trues" -eq "$execs" ] || echo "$name logged $trues of $execs execs" >&2
  local cpu1 lost1 waited
  cpu1=$(cpu_ticks "$daemon_pid")
  thread_ticks "$daemon_pid" >"$dir/threads1"
  # Where the CPU went, per thread (on stderr: the results stay one line).
  awk -v e="$events" -v hz="$ticks" -v n="$name" 'NR == FNR {t0[$1] = $3; next}
    e {printf "  %s thread %s: %.2f us/event\n", n, $2, ($3 - t0[$1]) * 1e6 / hz / e}' \
    "$dir/threads0" "$dir/threads1" >&2
  lost1=$(status lost)
  waited=$(status backlog_wait_time_actual)
  auditctl -d "${rule[@]}" >/dev/null
  rule=()
  kill -TERM "$daemon_pid"
  wait "$daemon_pid" || true
  daemon_pid=
  awk -v n="$name" -v e="$events" -v x="$execs" -v t0="$t0" -v t1="$t1" \
    -v c="$((cpu1 - cpu0))" -v hz="$ticks" -v l="$((lost1 - lost0))" -v w="$waited" \
    'BEGIN {printf "%s %d %.0f %.2f %d %d\n", n, e, x / (t1 - t0), e ? c * 1e6 / hz / e : 0, l, w}'
}

echo "storm: $execs execs of /bin/true (xargs -P $(nproc)), flush = $flush, $rounds rounds each, alternating"
echo "kernel: $(uname -r), backlog_limit $(status backlog_limit), backlog_wait_time $(status backlog_wait_time)"
echo "daemon  events  execs/s  cpu_us/event  lost  backlog_waited"
results=$tmp/results
for r in $(seq "$rounds"); do
  for name in $daemons; do
    # Not in a pipe: cleanup must see the pids and the rule that run sets.
    run "$name" "$r" >>"$results"
    tail -n 1 "$results" | awk '{printf "%-7s %6d %8d %13.2f %5d %15d\n", $1, $2, $3, $4, $5, $6}'
  done
done
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
m_ours=$(awk '$1 == "ours" {print $4}' "$results" | median)
m_auditd=$(awk '$1 == "auditd" {print $4}' "$results" | median)
lost_ours=$(awk '$1 == "ours" {s += $5} END {print s}' "$results")
lost_auditd=$(awk '$1 == "auditd" {s += $5} END {print s}' "$results")
if [ -n "$base" ]; then
  m_base=$(awk '$1 == "base" {print $4}' "$results" | median)
  echo "median CPU per event: base $m_base us, ours $m_ours us"
fi
echo "median CPU per event: ours $m_ours us, auditd $m_auditd us ($(awk -v a="$m_auditd" -v o="$m_ours" 'BEGIN {printf (o > 0 ? "%.1fx less" : "ours below one tick"), a / o}'))"
echo "kernel lost over all runs: ours $lost_ours, auditd $lost_auditd"
