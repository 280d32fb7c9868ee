/*
 * normalize_walk: reference printer of libauparse's normalizer for the
 * differential tests of linux-audit-rs (tests/normalize_differential.rs).
 *
 * Feeds an audit log to libauparse, calls auparse_normalize() on every event
 * as soon as it is delivered, then asks every getter of the normalizer and
 * prints its answer. Getters that position the cursor print their return
 * code and, on success, where the cursor went and what is there:
 *
 *   event <sec>.<msec>:<serial> records=<n> rc=<auparse_normalize result>
 *    kind <event kind or (null)>
 *    session rc=<n>[ at=<record>.<field> <name>=<value> => <interpretation>]
 *    subject.primary ...
 *    subject.secondary ...
 *    subject.kind <text or (null)>
 *    subject.attr ...            (one line per attribute, until rc 0)
 *    action <text or (null)>
 *    object.primary ...
 *    object.secondary ...
 *    object.primary2 ...
 *    object.attr ...
 *    object.kind <text>
 *    results ...
 *    how <text or (null)>
 *    key ...
 *
 * Usage: normalize_walk [--no-attrs] [FILE]   (default: standard input)
 * Build: cc -O2 -o normalize_walk normalize_walk.c -lauparse -laudit
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <auparse.h>

static normalize_option_t option = NORM_OPT_ALL;

static const char *text(const char *s)
{
	return s ? s : "(null)";
}

/* One positioning getter's answer. */
static void show(auparse_state_t *au, const char *label, int rc)
{
	printf(" %s rc=%d", label, rc);
	if (rc == 1) {
		printf(" at=%u.%u %s=%s => %s", auparse_get_record_num(au),
		       auparse_get_field_num(au),
		       text(auparse_get_field_name(au)),
		       text(auparse_get_field_str(au)),
		       text(auparse_interpret_field(au)));
	}
	putchar('\n');
}

static void on_event(auparse_state_t *au, auparse_cb_event_t type, void *data)
{
	const au_event_t *ts;
	int rc;

	(void)data;
	if (type != AUPARSE_CB_EVENT_READY)
		return;

	rc = auparse_normalize(au, option);
	ts = auparse_get_timestamp(au);
	if (ts)
		printf("event %lld.%03u:%lu records=%u rc=%d\n",
		       (long long)ts->sec, ts->milli, ts->serial,
		       auparse_get_num_records(au), rc);
	else
		printf("event 0.000:0 records=%u rc=%d\n",
		       auparse_get_num_records(au), rc);

	printf(" kind %s\n", text(auparse_normalize_get_event_kind(au)));
	show(au, "session", auparse_normalize_session(au));
	show(au, "subject.primary", auparse_normalize_subject_primary(au));
	show(au, "subject.secondary", auparse_normalize_subject_secondary(au));
	printf(" subject.kind %s\n", text(auparse_normalize_subject_kind(au)));
	rc = auparse_normalize_subject_first_attribute(au);
	for (;;) {
		show(au, "subject.attr", rc);
		if (rc == 0)
			break;
		rc = auparse_normalize_subject_next_attribute(au);
	}
	printf(" action %s\n", text(auparse_normalize_get_action(au)));
	show(au, "object.primary", auparse_normalize_object_primary(au));
	show(au, "object.secondary", auparse_normalize_object_secondary(au));
	show(au, "object.primary2", auparse_normalize_object_primary2(au));
	rc = auparse_normalize_object_first_attribute(au);
	for (;;) {
		show(au, "object.attr", rc);
		if (rc == 0)
			break;
		rc = auparse_normalize_object_next_attribute(au);
	}
	printf(" object.kind %s\n", text(auparse_normalize_object_kind(au)));
	show(au, "results", auparse_normalize_get_results(au));
	printf(" how %s\n", text(auparse_normalize_how(au)));
	show(au, "key", auparse_normalize_key(au));
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	FILE *in = stdin;
	auparse_state_t *au;
	char buf[65536];
	size_t n;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-attrs") == 0)
			option = NORM_OPT_NO_ATTRS;
		else if (path == NULL)
			path = argv[i];
		else {
			fprintf(stderr, "usage: normalize_walk [--no-attrs] [FILE]\n");
			return 2;
		}
	}
	if (path && strcmp(path, "-") != 0) {
		in = fopen(path, "rb");
		if (in == NULL) {
			fprintf(stderr, "normalize_walk: %s: %s\n", path,
				strerror(errno));
			return 1;
		}
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	au = auparse_init(AUSOURCE_FEED, NULL);
	if (au == NULL) {
		fprintf(stderr, "normalize_walk: auparse_init failed\n");
		return 1;
	}
	auparse_add_callback(au, on_event, NULL, NULL);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		auparse_feed(au, buf, n);
	auparse_flush_feed(au);
	auparse_destroy(au);
	if (in != stdin)
		fclose(in);
	return fflush(stdout) == 0 ? 0 : 1;
}
