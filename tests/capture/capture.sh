#!/bin/bash
# capture.sh -- record real audit logs from this machine's kernel for the
# differential tests (tests/data/captured/{raw,enriched}.log).
#
# Usage (as root, on a machine where no audit daemon is running):
#     tests/capture/capture.sh [OUTPUT_DIR]      # default: tests/data/captured
#
# NOT for CI: it drives the real kernel audit subsystem and the real auditd.
# The logs it writes are committed as test data; rerun it only to refresh them
# (then update their rows in REFERENCE_COUNTS of tests/differential_parse.rs:
# `cargo test --test differential_parse reference_walker_counts` prints them).
#
# What it does, twice (log_format = RAW -> raw.log, then ENRICHED ->
# enriched.log, the latter with name_format = USER so records carry node=):
#   1. takes the machine-wide live-test lock
#      (flock /run/lock/linux-audit-rs-live-tests.lock, as audit-testlock does)
#      and saves `auditctl -s` (enabled must be 0 or 1, pid must be 0);
#   2. writes a private auditd.conf in a temp dir (log file, plugin dir there;
#      flush = SYNC, all space/disk actions IGNORE) and runs
#      `auditd -n -c <tmpdir>` in the background; waits until the kernel
#      reports its pid;
#   3. starts a "workload" subshell that waits on a FIFO, and adds narrow
#      rules keyed lars-cap-*: execve by children of that subshell
#      (-F ppid=), failed openat by it (-F pid= -F success=0), connect by it
#      (-F pid=), and a write/attribute watch on a temp file;
#   4. releases the workload: it runs /bin/true, /bin/echo with spaces,
#      non-ASCII and a long argument, a failing /bin/ls, opens a nonexistent
#      file, appends to and chmods the watched file, and connects to
#      127.0.0.1:1 (refused; SOCKADDR is logged anyway);
#   5. sends a user message with `auditctl -m`, deletes the rules, stops
#      auditd with SIGTERM and copies its log.
# On exit (also on error or interrupt) it kills the auditd it started,
# deletes every lars-cap-* rule, restores `enabled` to the saved value and
# sets the daemon pid back to 0 if auditd left it set.
#
# Afterwards /work/shared/tools/audit-state --expect-clean must pass.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$REPO/tests/data/captured}
LOCK=/run/lock/linux-audit-rs-live-tests.lock
[ -d /run/lock ] || LOCK=/tmp/linux-audit-rs-live-tests.lock
KEYS=(lars-cap-exec lars-cap-fail lars-cap-connect lars-cap-watch)

die() { echo "capture.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
for t in auditd auditctl flock cc; do
	command -v "$t" >/dev/null || die "$t not found (apt-get install auditd gcc)"
done

exec 9>>"$LOCK"
flock 9

status_value() { auditctl -s | awk -v k="$1" '$1 == k { print $2 }'; }

SAVED_ENABLED=$(status_value enabled)
SAVED_PID=$(status_value pid)
case "$SAVED_ENABLED" in
0 | 1) ;;
*) die "audit enabled=$SAVED_ENABLED (locked?); refusing to touch it" ;;
esac
[ "$SAVED_PID" = 0 ] || die "an audit daemon (pid $SAVED_PID) is registered; stop it first"
echo "saved state: enabled=$SAVED_ENABLED pid=$SAVED_PID"

TMP=$(mktemp -d /tmp/lars-capture.XXXXXX)
chmod 700 "$TMP"
AUDITD_PID=
WORK_PID=
WATCHED=

delete_rules() {
	if [ -n "$WATCHED" ]; then
		auditctl -W "$WATCHED" -p wa -k lars-cap-watch >/dev/null 2>&1 || true
	fi
	for k in "${KEYS[@]}"; do
		auditctl -D -k "$k" >/dev/null 2>&1 || true
	done
}

set_pid_zero() {
	cat >"$TMP/setpid0.c" <<'CEOF'
#include <libaudit.h>
int main(void)
{
	int fd = audit_open();
	int rc;

	if (fd < 0)
		return 1;
	rc = audit_set_pid(fd, 0, WAIT_YES);
	audit_close(fd);
	return rc < 0;
}
CEOF
	cc -o "$TMP/setpid0" "$TMP/setpid0.c" -laudit && "$TMP/setpid0"
}

cleanup() {
	local rc=$?
	set +e
	if [ -n "$WORK_PID" ] && kill -0 "$WORK_PID" 2>/dev/null; then
		kill "$WORK_PID"
		wait "$WORK_PID" 2>/dev/null
	fi
	delete_rules
	if [ -n "$AUDITD_PID" ] && kill -0 "$AUDITD_PID" 2>/dev/null; then
		kill -TERM "$AUDITD_PID"
		wait "$AUDITD_PID" 2>/dev/null
	fi
	if [ "$(status_value pid)" != 0 ]; then
		echo "daemon pid still set; setting it to 0"
		set_pid_zero || echo "capture.sh: could not reset the audit pid" >&2
	fi
	auditctl -e "$SAVED_ENABLED" >/dev/null
	echo "restored: $(auditctl -s | awk '$1 == "enabled" || $1 == "pid" { printf "%s=%s ", $1, $2 }')"
	rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# write_conf DIR FORMAT NAME_FORMAT
write_conf() {
	cat >"$1/auditd.conf" <<CONF
local_events = yes
write_logs = yes
log_file = $1/log/audit.log
log_group = root
log_format = $2
flush = SYNC
freq = 0
max_log_file = 100
num_logs = 0
max_log_file_action = IGNORE
priority_boost = 0
name_format = $3
name = lars-capture
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
use_libwrap = no
plugin_dir = $1/plugins
end_of_event_timeout = 2
overflow_action = IGNORE
CONF
	chmod 600 "$1/auditd.conf"
}

# capture FORMAT NAME_FORMAT OUTPUT_NAME
capture() {
	local dir="$TMP/$3"
	mkdir -p "$dir/log" "$dir/plugins"
	chmod 700 "$dir" "$dir/log"
	write_conf "$dir" "$1" "$2"

	auditd -n -c "$dir" >"$dir/auditd.out" 2>&1 &
	AUDITD_PID=$!
	local i
	for i in $(seq 100); do
		[ "$(status_value pid)" = "$AUDITD_PID" ] && break
		kill -0 "$AUDITD_PID" 2>/dev/null || { cat "$dir/auditd.out" >&2; die "auditd exited"; }
		sleep 0.1
	done
	[ "$(status_value pid)" = "$AUDITD_PID" ] || die "auditd did not register"
	echo "[$1] auditd $AUDITD_PID running"

	WATCHED="$dir/watched file"
	: >"$WATCHED"
	mkfifo "$dir/go"
	(
		read -r _ <"$dir/go"
		/bin/true
		/bin/echo "hello world" "ünïcødé" "$(printf 'x%.0s' $(seq 300))" >/dev/null
		/bin/ls -d / /nonexistent-lars-capture >/dev/null 2>&1 || true
		{ : <"/nonexistent-lars-capture/file"; } 2>/dev/null || true
		echo data >>"$WATCHED"
		/bin/chmod 600 "$WATCHED"
		{ : <>/dev/tcp/127.0.0.1/1; } 2>/dev/null || true
	) &
	WORK_PID=$!

	auditctl -a always,exit -F arch=b64 -S execve -F ppid="$WORK_PID" -k lars-cap-exec >/dev/null
	auditctl -a always,exit -F arch=b64 -S openat -F pid="$WORK_PID" -F success=0 -k lars-cap-fail >/dev/null
	auditctl -a always,exit -F arch=b64 -S connect -F pid="$WORK_PID" -k lars-cap-connect >/dev/null
	auditctl -w "$WATCHED" -p wa -k lars-cap-watch >/dev/null
	echo go >"$dir/go"
	wait "$WORK_PID"
	WORK_PID=

	auditctl -m "linux-audit-rs capture.sh: user message ($1)"
	delete_rules
	WATCHED=
	sleep 1
	kill -TERM "$AUDITD_PID"
	wait "$AUDITD_PID" || true
	AUDITD_PID=
	mkdir -p "$OUT"
	cp "$dir/log/audit.log" "$OUT/$3.log"
	echo "[$1] $(wc -l <"$OUT/$3.log") records -> $OUT/$3.log"
}

capture RAW NONE raw
capture ENRICHED USER enriched
