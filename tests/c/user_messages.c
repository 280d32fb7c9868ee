/*
 * user_messages: reference sender for the differential test of
 * audit_netlink::user_message (tests/user_messages.rs).
 *
 * Usage: user_messages SCENARIO MARKER
 *
 * Sends one user-space record through libaudit's logging function that the
 * scenario names, with fixed arguments and MARKER (a unique word) where the
 * test looks for it; the test sends the same record with our crate and
 * compares the kernel's two records. Exits 0 when libaudit reports success.
 *
 * Build: cc -O2 -o user_messages user_messages.c -laudit
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libaudit.h>

int main(int argc, char **argv)
{
	char text[512], longname[41];
	int fd, rc = -1, scenario;
	const char *mark;

	if (argc != 3) {
		fprintf(stderr, "usage: user_messages SCENARIO MARKER\n");
		return 2;
	}
	scenario = atoi(argv[1]);
	mark = argv[2];
	fd = audit_open();
	if (fd < 0) {
		perror("audit_open");
		return 1;
	}
	memset(longname, 'n', 40);
	longname[40] = 0;
	switch (scenario) {
	case 1:
		snprintf(text, sizeof(text), "op=%s key=value", mark);
		rc = audit_log_user_message(fd, AUDIT_TEST, text, "lars-host",
					    "10.1.2.3", "pts/7", 1);
		break;
	case 2:
		snprintf(text, sizeof(text), "op=%s", mark);
		rc = audit_log_user_message(fd, AUDIT_TEST, text, "localhost",
					    NULL, "", 0);
		break;
	case 3:
		snprintf(text, sizeof(text), "op=%s", mark);
		rc = audit_log_user_message(fd, AUDIT_TEST, text, NULL, "",
					    "pts/3", 1);
		break;
	case 4:
		snprintf(text, sizeof(text), "op=%s", mark);
		rc = audit_log_user_comm_message(fd, AUDIT_TEST, text,
						 "my script", "h", "::1",
						 "cron", 0);
		break;
	case 5:
		rc = audit_log_acct_message(fd, AUDIT_ADD_USER, "useradd", mark,
					    "new user", -1, "h", "a", "pts/0",
					    1);
		break;
	case 6:
		rc = audit_log_acct_message(fd, AUDIT_DEL_USER, NULL, mark, NULL,
					    1001, NULL, "x", "", 0);
		break;
	case 7:
		rc = audit_log_acct_message(fd, AUDIT_USER_CHAUTHTOK,
					    "\"passwd\"", mark, longname, -1,
					    "", "", "tty2", 1);
		break;
	case 8:
		snprintf(text, sizeof(text), "avc:  denied  { %s }", mark);
		rc = audit_log_user_avc_message(fd, AUDIT_USER_AVC, text, "h",
						"a", "pts/1", -1);
		break;
	case 9:
		rc = audit_log_semanage_message(fd, AUDIT_ROLE_ASSIGN,
						"semanage", mark, "joe", 0,
						"user_u", NULL, "", NULL, NULL,
						NULL, "", "b", "tty1", 1);
		break;
	case 10:
		snprintf(text, sizeof(text), "  ls -l /%s \n ", mark);
		rc = audit_log_user_command(fd, AUDIT_USER_CMD, text, "pts/2",
					    1);
		break;
	case 11:
		snprintf(text, sizeof(text), " /usr/bin/%s\n", mark);
		rc = audit_log_user_command(fd, AUDIT_USER_CMD, text, "pts/4",
					    0);
		break;
	case 12: /* terminal and host name looked up */
		snprintf(text, sizeof(text), "op=%s", mark);
		rc = audit_log_user_message(fd, AUDIT_TEST, text, NULL, NULL,
					    NULL, 1);
		break;
	case 13: /* comm looked up */
		snprintf(text, sizeof(text), "op=%s", mark);
		rc = audit_log_user_comm_message(fd, AUDIT_TEST, text, NULL,
						 "h", "a", "t", 1);
		break;
	case 14: /* semanage without a name */
		rc = audit_log_semanage_message(fd, AUDIT_ROLE_REMOVE, NULL,
						mark, NULL, 1234, NULL, NULL,
						NULL, "staff_u", "staff_r",
						"s0", NULL, NULL, NULL, 0);
		break;
	case 15: /* AVC without a host name */
		snprintf(text, sizeof(text), "avc:  granted  { %s }", mark);
		rc = audit_log_user_avc_message(fd, AUDIT_USER_AVC, text, NULL,
						NULL, NULL, 1000);
		break;
	case 16: /* an address longer than libaudit keeps */
		rc = audit_log_acct_message(fd, AUDIT_ADD_GROUP, "groupadd",
					    mark, "grp", -1, "h",
					    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
					    "t", 1);
		break;
	case 17: /* non-ASCII text passes as it is */
		snprintf(text, sizeof(text), "op=%s name=na\xc3\xafve", mark);
		rc = audit_log_user_message(fd, AUDIT_TEST, text, "h", "a",
					    "t", 1);
		break;
	case 18: { /* a command longer than PATH_MAX */
		static char cmd[6000];

		snprintf(cmd, sizeof(cmd), "/usr/bin/%s", mark);
		memset(cmd + strlen(cmd), 'x', 5000);
		cmd[5000] = 0;
		rc = audit_log_user_command(fd, AUDIT_USER_CMD, cmd, "t", 1);
		break;
	}
	default:
		fprintf(stderr, "user_messages: no scenario %d\n", scenario);
		return 2;
	}
	audit_close(fd);
	return rc > 0 ? 0 : 1;
}
