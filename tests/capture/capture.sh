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
KEYS=(lars-cap-exec lars-cap-fail lars-cap-connect lars-cap-watch)
WATCHED=
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

delete_rules() {
	if [ -n "$WATCHED" ]; then
		auditctl -W "$WATCHED" -p wa -k lars-cap-watch >/dev/null 2>&1 || true
	fi
	for k in "${KEYS[@]}"; do
		auditctl -D -k "$k" >/dev/null 2>&1 || true
	done
}

capture_begin

# capture FORMAT NAME_FORMAT OUTPUT_NAME
capture() {
	local dir="$TMP/$3"
	start_auditd "$dir" "$1" "$2"

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
	stop_auditd
	mkdir -p "$OUT"
	cp "$dir/log/audit.log" "$OUT/$3.log"
	echo "[$1] $(wc -l <"$OUT/$3.log") records -> $OUT/$3.log"
}

capture RAW NONE raw
capture ENRICHED USER enriched
