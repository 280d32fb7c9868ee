# lib.sh -- what the capture scripts share: the live-test lock, saving and
# restoring the kernel's audit state, a private auditd in the foreground.
# Sourced by capture.sh and capture-busy.sh; not for CI.
#
# A script that sources it defines delete_rules (removes every rule it
# added; called on exit, also on error or interrupt) and then calls
# capture_begin. cleanup (the EXIT trap) kills the workload ($WORK_PID) and
# the auditd started here ($AUDITD_PID), deletes the rules, sets the daemon
# pid back to 0 if auditd left it set, and restores `enabled` and the
# backlog limit.

LOCK=/run/lock/linux-audit-rs-live-tests.lock
[ -d /run/lock ] || LOCK=/tmp/linux-audit-rs-live-tests.lock

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

status_value() { auditctl -s | awk -v k="$1" '$1 == k { print $2 }'; }

# capture_begin: checks the tools, takes the lock, saves the state, makes $TMP.
capture_begin() {
	[ "$(id -u)" = 0 ] || die "must run as root"
	local t
	for t in auditd auditctl flock cc; do
		command -v "$t" >/dev/null || die "$t not found (apt-get install auditd gcc)"
	done
	exec 9>>"$LOCK"
	flock 9
	SAVED_ENABLED=$(status_value enabled)
	SAVED_PID=$(status_value pid)
	SAVED_BACKLOG=$(status_value backlog_limit)
	case "$SAVED_ENABLED" in
	0 | 1) ;;
	*) die "audit enabled=$SAVED_ENABLED (locked?); refusing to touch it" ;;
	esac
	[ "$SAVED_PID" = 0 ] || die "an audit daemon (pid $SAVED_PID) is registered; stop it first"
	echo "saved state: enabled=$SAVED_ENABLED pid=$SAVED_PID backlog_limit=$SAVED_BACKLOG"
	TMP=$(mktemp -d /tmp/lars-capture.XXXXXX)
	chmod 700 "$TMP"
	AUDITD_PID=
	WORK_PID=
	trap cleanup EXIT
	trap 'exit 130' INT TERM
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
		set_pid_zero || echo "$(basename "$0"): could not reset the audit pid" >&2
	fi
	auditctl -e "$SAVED_ENABLED" >/dev/null
	auditctl -b "$SAVED_BACKLOG" >/dev/null
	echo "restored: $(auditctl -s | awk '$1 == "enabled" || $1 == "pid" || $1 == "backlog_limit" { printf "%s=%s ", $1, $2 }')"
	rm -rf "$TMP"
	exit "$rc"
}

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
max_log_file = 1000
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

# start_auditd DIR FORMAT NAME_FORMAT: a private auditd logging to DIR/log.
start_auditd() {
	mkdir -p "$1/log" "$1/plugins"
	chmod 700 "$1" "$1/log"
	write_conf "$1" "$2" "$3"
	auditd -n -c "$1" >"$1/auditd.out" 2>&1 &
	AUDITD_PID=$!
	local i
	for i in $(seq 100); do
		[ "$(status_value pid)" = "$AUDITD_PID" ] && break
		kill -0 "$AUDITD_PID" 2>/dev/null || { cat "$1/auditd.out" >&2; die "auditd exited"; }
		sleep 0.1
	done
	[ "$(status_value pid)" = "$AUDITD_PID" ] || die "auditd did not register"
	echo "[$2] auditd $AUDITD_PID running"
}

# stop_auditd: lets the last events reach auditd, then stops it.
stop_auditd() {
	sleep 1
	kill -TERM "$AUDITD_PID"
	wait "$AUDITD_PID" || true
	AUDITD_PID=
}
