#!/bin/bash
# capture-busy.sh -- record a realistic audit log from this machine's kernel:
# a root login session doing everyday admin and build work under a
# STIG-like rule set (tests/data/captured/busy.log).
#
# Usage (as root, on a machine where no audit daemon is running):
#     tests/capture/capture-busy.sh [OUTPUT_DIR] [ROUNDS] [FORMAT]
#     # defaults: tests/data/captured, 4 rounds of the workload, RAW
#     # (FORMAT ENRICHED writes busy-enriched.log, name_format = USER)
#
# NOT for CI: it drives the real kernel audit subsystem and the real auditd.
# The log it writes is committed as test data, and it is the template of the
# "busy" benchmark log (gen-log --in-order ... busy.log); rerun it only to
# refresh it (then update its row in REFERENCE_COUNTS of
# tests/differential_parse.rs).
#
# What it does:
#   1. takes the live-test lock, saves `auditctl -s` (lib.sh), raises the
#      backlog limit to 8192 for the burst (restored on exit);
#   2. runs a private auditd (log_format = FORMAT) as capture.sh does;
#   3. starts a workload shell that makes itself a login session: it writes 0
#      to /proc/self/loginuid (a LOGIN record; the kernel gives it a new
#      session id), so auid=root and every process it starts shares that ses;
#   4. adds rules keyed lars-busy-*, each limited to that session (-F sessionid=),
#      modelled on the STIG rules: execve, failed opens (EACCES/EPERM),
#      permission and owner changes, deletes and renames, directory and link
#      creation, connect/bind, kill, set*id, reads of /etc/shadow;
#   5. releases the workload: ROUNDS times it compiles and runs a small C
#      program, unpacks, chmods, chowns, renames and deletes a file tree, runs
#      `su nobody` (PAM's USER_* and CRED_* records, EACCES as nobody), a
#      setpriv'd touch of /etc, shell pipelines, refused connects over IPv4,
#      IPv6 and a Unix socket, and kills a sleep;
#   6. deletes the rules, stops auditd and copies its log.
# On exit (also on error or interrupt) lib.sh's cleanup kills the workload
# and auditd, deletes every lars-busy-* rule and restores the saved state.
#
# Afterwards /work/shared/tools/audit-state --expect-clean must pass.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$REPO/tests/data/captured}
ROUNDS=${2:-4}
FORMAT=${3:-RAW}
case "$FORMAT" in
RAW) NAME_FORMAT=NONE NAME=busy ;;
ENRICHED) NAME_FORMAT=USER NAME=busy-enriched ;;
*) echo "FORMAT must be RAW or ENRICHED" >&2; exit 2 ;;
esac
KEYS=(lars-busy-exec lars-busy-access lars-busy-perm lars-busy-delete
	lars-busy-create lars-busy-net lars-busy-signal lars-busy-setid
	lars-busy-shadow)
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

delete_rules() {
	for k in "${KEYS[@]}"; do
		auditctl -D -k "$k" >/dev/null 2>&1 || true
	done
}

capture_begin
auditctl -b 8192 >/dev/null

dir="$TMP/busy"
start_auditd "$dir" "$FORMAT" "$NAME_FORMAT"
work="$dir/work"
mkdir -p "$work/src"
for i in $(seq 20); do
	printf 'file %d\n' "$i" >"$work/src/file-$i.txt"
done
mkdir -p "$work/src/sub dir"
printf 'x\n' >"$work/src/sub dir/with space.txt"
tar -C "$work" -cf "$work/src.tar" src
cat >"$work/prog.c" <<'CEOF'
#include <stdio.h>
int main(int argc, char **argv)
{
	printf("%s %d\n", argv[0], argc);
	return 0;
}
CEOF

mkfifo "$dir/ses" "$dir/go"
(
	echo 0 >/proc/self/loginuid
	echo "$(cat /proc/self/sessionid)" >"$dir/ses"
	read -r _ <"$dir/go"
	cd "$work"
	for round in $(seq "$ROUNDS"); do
		cc -O1 -Wall -o prog prog.c && ./prog "round $round" "ünïcødé" >/dev/null
		tar -xf src.tar
		chmod -R g-w src
		chown -R nobody:nogroup src
		mv src/file-1.txt src/renamed.txt
		ln -s renamed.txt src/link
		mkdir src/new
		rm -rf src
		su -s /bin/sh nobody -c 'id; cat /etc/shadow; ls /root; : >/etc/lars-busy' \
			>/dev/null 2>&1 || true
		setpriv --reuid=daemon --regid=daemon --clear-groups \
			/bin/touch /etc/lars-busy-daemon >/dev/null 2>&1 || true
		find /usr/share/doc -maxdepth 1 | sort | sed -n '1,40p' | xargs -n 8 echo >/dev/null
		grep -c root /etc/passwd >/dev/null
		awk -F: '$3 == 0 { print $1 }' /etc/passwd | sed 's/^/user: /' >/dev/null
		{ : <>/dev/tcp/127.0.0.1/1; } 2>/dev/null || true
		/usr/bin/python3 -c '
import socket
for fam, addr in ((socket.AF_INET6, ("::1", 1)), (socket.AF_UNIX, "/run/lars-busy.sock")):
    try:
        socket.socket(fam, socket.SOCK_STREAM).connect(addr)
    except OSError:
        pass
'
		sleep 30 &
		kill "$!"
		wait "$!" 2>/dev/null || true
	done
) &
WORK_PID=$!
read -r SES <"$dir/ses"
echo "workload $WORK_PID: session $SES"

rules=(
	"-a always,exit -F arch=b64 -S execve,execveat -F sessionid=$SES -k lars-busy-exec"
	"-a always,exit -F arch=b64 -S open,openat,openat2,creat,truncate,ftruncate -F exit=-EACCES -F sessionid=$SES -k lars-busy-access"
	"-a always,exit -F arch=b64 -S open,openat,openat2,creat,truncate,ftruncate -F exit=-EPERM -F sessionid=$SES -k lars-busy-access"
	"-a always,exit -F arch=b64 -S chmod,fchmod,fchmodat,chown,fchown,fchownat,lchown,setxattr,lsetxattr,fsetxattr,removexattr -F sessionid=$SES -k lars-busy-perm"
	"-a always,exit -F arch=b64 -S unlink,unlinkat,rename,renameat,renameat2,rmdir -F sessionid=$SES -k lars-busy-delete"
	"-a always,exit -F arch=b64 -S mkdir,mkdirat,symlink,symlinkat,link,linkat -F sessionid=$SES -k lars-busy-create"
	"-a always,exit -F arch=b64 -S connect,bind -F sessionid=$SES -k lars-busy-net"
	"-a always,exit -F arch=b64 -S kill,tkill,tgkill -F sessionid=$SES -k lars-busy-signal"
	"-a always,exit -F arch=b64 -S setuid,setgid,setreuid,setregid,setresuid,setresgid,setgroups -F sessionid=$SES -k lars-busy-setid"
	"-a always,exit -F arch=b64 -S open,openat -F path=/etc/shadow -F sessionid=$SES -k lars-busy-shadow"
)
for r in "${rules[@]}"; do
	# shellcheck disable=SC2086
	auditctl $r >/dev/null
done
echo go >"$dir/go"
wait "$WORK_PID"
WORK_PID=

delete_rules
stop_auditd
echo "lost: $(status_value lost)"
mkdir -p "$OUT"
cp "$dir/log/audit.log" "$OUT/$NAME.log"
echo "$(wc -l <"$OUT/$NAME.log") records, $(wc -c <"$OUT/$NAME.log") bytes -> $OUT/$NAME.log"
