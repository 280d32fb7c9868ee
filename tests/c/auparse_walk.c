/*
 * auparse_walk: reference walker for the differential tests of linux-audit-rs.
 *
 * Feeds an audit log to libauparse through the feed API and prints every
 * event, record and field in a fixed text format that our Rust example
 * `auparse-walk` reproduces byte for byte:
 *
 *   event <sec>.<msec>:<serial> node=<node or -> records=<n>
 *    record <i> type=<number>(<name or UNKNOWN>) fields=<n>
 *     <name>=<value>[ => <interpretation>]
 *
 * Usage: auparse_walk [--chunk N] [--interpret] [--count] [--peak-rss] [FILE]
 *   FILE         log to read (default: standard input)
 *   --chunk N    bytes per auparse_feed() call (default 65536)
 *   --interpret  append " => <auparse_interpret_field()>" to each field
 *                (with --count: interpret each field without printing it)
 *   --count      walk every field but only print
 *                "events=N records=N fields=N"
 *   --peak-rss   then print "peak_rss_kib=N", this process's own peak
 *                resident size (VmHWM: unlike getrusage's maxrss, it does not
 *                inherit the peak of the process that forked it)
 *
 * Build: cc -O2 -o auparse_walk auparse_walk.c -lauparse -laudit
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <auparse.h>
#include <libaudit.h>

struct walk_opts {
	int interpret;
	int count_only;
	int peak_rss;
	unsigned long long events;
	unsigned long long records;
	unsigned long long fields;
	/* Keeps the compiler from dropping the field reads in --count mode. */
	unsigned long long checksum;
};

static const char *or_null(const char *s)
{
	return s ? s : "(null)";
}

static void print_field(auparse_state_t *au, const struct walk_opts *o)
{
	fputs("  ", stdout);
	fputs(or_null(auparse_get_field_name(au)), stdout);
	putchar('=');
	fputs(or_null(auparse_get_field_str(au)), stdout);
	if (o->interpret) {
		fputs(" => ", stdout);
		fputs(or_null(auparse_interpret_field(au)), stdout);
	}
	putchar('\n');
}

static void count_field(auparse_state_t *au, struct walk_opts *o)
{
	const char *name = auparse_get_field_name(au);
	const char *value = auparse_get_field_str(au);

	if (name)
		o->checksum += (unsigned char)name[0];
	if (value)
		o->checksum += (unsigned char)value[0];
	if (o->interpret) {
		const char *interp = auparse_interpret_field(au);

		if (interp)
			o->checksum += (unsigned char)interp[0];
	}
}

static void on_event(auparse_state_t *au, auparse_cb_event_t type, void *data)
{
	struct walk_opts *o = data;
	const au_event_t *ts;
	unsigned int nrec, r;

	if (type != AUPARSE_CB_EVENT_READY)
		return;

	nrec = auparse_get_num_records(au);
	o->events++;
	if (!o->count_only) {
		ts = auparse_get_timestamp(au);
		if (ts)
			printf("event %lld.%03u:%lu node=%s records=%u\n",
			       (long long)ts->sec, ts->milli, ts->serial,
			       ts->host ? ts->host : "-", nrec);
		else
			printf("event 0.000:0 node=- records=%u\n", nrec);
	}

	for (r = 0; r < nrec; r++) {
		unsigned int nf;
		int rtype;

		if (auparse_goto_record_num(au, r) <= 0)
			break;
		o->records++;
		rtype = auparse_get_type(au);
		nf = auparse_get_num_fields(au);
		if (!o->count_only) {
			const char *tname = audit_msg_type_to_name(rtype);

			printf(" record %u type=%d(%s) fields=%u\n", r + 1,
			       rtype, tname ? tname : "UNKNOWN", nf);
		}
		if (nf == 0 || auparse_first_field(au) <= 0)
			continue;
		do {
			o->fields++;
			if (o->count_only)
				count_field(au, o);
			else
				print_field(au, o);
		} while (auparse_next_field(au) > 0);
	}
}

/* Prints VmHWM from /proc/self/status as "peak_rss_kib=N". */
static void print_peak_rss(void)
{
	char line[256];
	unsigned long kib = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "VmHWM: %lu kB", &kib) == 1)
				break;
		fclose(f);
	}
	printf("peak_rss_kib=%lu\n", kib);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: auparse_walk [--chunk N] [--interpret] [--count] [--peak-rss] [FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct walk_opts opts = { 0 };
	size_t chunk = 65536;
	const char *path = NULL;
	FILE *in = stdin;
	auparse_state_t *au;
	char *buf;
	size_t n;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--chunk") == 0) {
			char *end;
			unsigned long v;

			if (++i >= argc)
				usage();
			errno = 0;
			v = strtoul(argv[i], &end, 10);
			if (errno || *end || v == 0)
				usage();
			chunk = v;
		} else if (strcmp(argv[i], "--interpret") == 0) {
			opts.interpret = 1;
		} else if (strcmp(argv[i], "--count") == 0) {
			opts.count_only = 1;
		} else if (strcmp(argv[i], "--peak-rss") == 0) {
			opts.peak_rss = 1;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			usage();
		} else if (path == NULL) {
			path = argv[i];
		} else {
			usage();
		}
	}

	if (path && strcmp(path, "-") != 0) {
		in = fopen(path, "rb");
		if (in == NULL) {
			fprintf(stderr, "auparse_walk: %s: %s\n", path,
				strerror(errno));
			return 1;
		}
	}

	buf = malloc(chunk);
	if (buf == NULL) {
		fprintf(stderr, "auparse_walk: out of memory\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);

	au = auparse_init(AUSOURCE_FEED, NULL);
	if (au == NULL) {
		fprintf(stderr, "auparse_walk: auparse_init failed\n");
		return 1;
	}
	auparse_add_callback(au, on_event, &opts, NULL);

	while ((n = fread(buf, 1, chunk, in)) > 0)
		auparse_feed(au, buf, n);
	if (ferror(in)) {
		fprintf(stderr, "auparse_walk: read error\n");
		return 1;
	}
	auparse_flush_feed(au);
	auparse_destroy(au);

	if (opts.count_only)
		printf("events=%llu records=%llu fields=%llu\n", opts.events,
		       opts.records, opts.fields);
	if (opts.peak_rss)
		print_peak_rss();
	if (opts.checksum == 1)	/* practically never; keeps reads alive */
		fputs("", stderr);
	free(buf);
	if (in != stdin)
		fclose(in);
	return fflush(stdout) == 0 ? 0 : 1;
}
