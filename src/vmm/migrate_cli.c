// SPDX-License-Identifier: MIT
/*
 * `sevm migrate` and `sevm status`: clients of a running sevm's control
 * socket (docs/control.md, docs/migration.md).
 */
#include "migrate_cli.h"
#include "config.h"
#include "control_path.h"
#include "run.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char usage_migrate[] =
    "Usage: sevm migrate [--help] [--vm NAME | --control PATH] --to HOST:PORT\n"
    "                    [--downtime-ms N] [--json]\n"
    "\n"
    "Migrate a running VM to the sevm waiting at HOST:PORT (sevm run --incoming):\n"
    "the VM named NAME, or the one whose control socket is PATH, or, without\n"
    "either, the only VM running here (docs/control.md). Shows each pre-copy round\n"
    "and a summary; --json prints one JSON object per line instead. The source\n"
    "exits once the target has the VM; if the migration fails, the VM runs on at\n"
    "the source.\n"
    "\n"
    "Exit status: 0 migrated, 1 the migration failed (the VM runs on), 2 usage.\n";

static const char usage_status[] =
    "Usage: sevm status [--help] [--vm NAME | --control PATH] [--json]\n"
    "\n"
    "Show the state of a running VM (NAME, the one at PATH, or the only one\n"
    "running here) and of any migration of it.\n";

static int usage(const char *cmd, const char *what)
{
	fprintf(stderr, "sevm %s: %s\nTry 'sevm %s --help'.\n", cmd, what, cmd);
	return RUN_USAGE;
}

/* A stream to the control socket at path (else NAME's, else the only
 * one), or NULL (said why on stderr). */
static FILE *open_control(const char *path, const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char found[256], err[300];
	FILE *f;
	int fd;

	if (!path && name) {
		if (control_default_path(name, found, sizeof(found))) {
			fprintf(stderr, "sevm: --vm %s: name too long\n", name);
			return NULL;
		}
		path = found;
	} else if (!path) {
		if (control_find_only(found, sizeof(found), err, sizeof(err))) {
			fprintf(stderr, "sevm: %s\n", err);
			return NULL;
		}
		path = found;
	}

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "sevm: --control %s: path too long\n", path);
		return NULL;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr,
			"sevm: control socket %s: %s (is `sevm run --control %s` running?)\n", path,
			strerror(errno), path);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	f = fdopen(fd, "r+");
	if (!f)
		close(fd);
	return f;
}

/* One line from fd into buf (without the newline); false at EOF or error. */
static bool get_line(FILE *f, char *buf, size_t len)
{
	if (!fgets(buf, (int)len, f))
		return false;
	buf[strcspn(buf, "\n")] = 0;
	return true;
}

/* s as a JSON string (RFC 8259 §7): quotes, backslashes and control
 * characters escaped, whatever the peer put in an error message. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

/* A JSON number as sevm writes them: [-]digits[.digits]. */
static bool is_number(const char *s)
{
	size_t i = *s == '-', d = strspn(s + i, "0123456789");

	if (!d)
		return false;
	i += d;
	if (s[i] == '.' && strspn(s + i + 1, "0123456789"))
		i += 1 + strspn(s + i + 1, "0123456789");
	return !s[i];
}

/* "k=v k=v" after the first word, as JSON members. */
static void json_fields(const char *s)
{
	char copy[1024], *save = NULL;
	bool first = true;

	snprintf(copy, sizeof(copy), "%s", s);
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(t, '=');

		if (!eq)
			continue;
		*eq = 0;
		printf("%s", first ? "" : ",");
		json_str(t);
		putchar(':');
		if (is_number(eq + 1))
			printf("%s", eq + 1);
		else
			json_str(eq + 1);
		first = false;
	}
}

static const char *field(const char *line, const char *key, char *buf, size_t len)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(line, pat);
	if (!p)
		return "?";
	p += strlen(pat);
	snprintf(buf, len, "%.*s", (int)strcspn(p, " "), p);
	return buf;
}

int migrate_cli(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"control", required_argument, NULL, 'c'},
	    {"to", required_argument, NULL, 't'},
	    {"downtime-ms", required_argument, NULL, 'd'},
	    {"json", no_argument, NULL, 'j'},
	    {"vm", required_argument, NULL, 'v'},
	    {NULL, 0, NULL, 0},
	};
	const char *control = NULL, *to = NULL, *downtime = NULL, *vm_name = NULL;
	bool json = false, tty;
	char line[1024], a[64], b[64], c2[64], d[64], e[64];
	int c;
	FILE *f;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_migrate, stdout);
			return RUN_OK;
		case 'c':
			control = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'd':
			downtime = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'v':
			vm_name = optarg;
			break;
		default:
			return usage("migrate", "unknown option or missing value");
		}
	}
	if (optind != argc)
		return usage("migrate", "unexpected argument");
	if (!to)
		return usage("migrate", "--to HOST:PORT is needed");
	if (control && vm_name)
		return usage("migrate", "--vm and --control exclude each other");
	if (vm_name && !config_name_is_valid(vm_name))
		return usage("migrate", "--vm takes a VM name (letters, digits, '.', '_', '-')");
	if (downtime && (strspn(downtime, "0123456789") != strlen(downtime) || !*downtime ||
			 strtoul(downtime, NULL, 10) < 1 || strtoul(downtime, NULL, 10) > 60000 ||
			 strlen(downtime) > 5))
		return usage("migrate", "--downtime-ms takes 1 to 60000 milliseconds");
	if (strchr(to, ' ') || strchr(to, '\n'))
		return usage("migrate", "--to: HOST:PORT without spaces");
	if (!(f = open_control(control, vm_name)))
		return RUN_ERROR;
	fprintf(f, "migrate %s%s%s\n", to, downtime ? " " : "", downtime ? downtime : "");
	fflush(f);
	tty = !json && isatty(STDOUT_FILENO);
	while (get_line(f, line, sizeof(line))) {
		if (!strncmp(line, "started", 7)) {
			if (json) {
				printf("{\"event\":\"started\",\"to\":");
				json_str(to);
				printf("}\n");
			}
		} else if (!strncmp(line, "progress", 8)) {
			if (json) {
				printf("{\"event\":\"progress\",");
				json_fields(line);
				printf("}\n");
			} else {
				printf("%sround %s: %s%% sent, %s GiB/s, dirty %s pages/s, "
				       "throttle %s%%%s",
				       tty ? "\r" : "", field(line, "round", a, sizeof(a)),
				       field(line, "sent_pct", b, sizeof(b)),
				       field(line, "gib_s", c2, sizeof(c2)),
				       field(line, "dirty_pages_s", d, sizeof(d)),
				       field(line, "throttle_pct", e, sizeof(e)),
				       tty ? "   " : "\n");
			}
			fflush(stdout);
		} else if (!strncmp(line, "ok", 2)) {
			if (json) {
				printf("{\"event\":\"done\",");
				json_fields(line);
				printf("}\n");
			} else {
				printf("%smigrated to %s: total %s ms, downtime %s ms, %s bytes, "
				       "%s rounds\n",
				       tty ? "\n" : "", to, field(line, "total_ms", a, sizeof(a)),
				       field(line, "downtime_ms", b, sizeof(b)),
				       field(line, "bytes", c2, sizeof(c2)),
				       field(line, "rounds", d, sizeof(d)));
			}
			fclose(f);
			return RUN_OK;
		} else if (!strncmp(line, "error", 5)) {
			if (json) {
				printf("{\"event\":\"failed\",\"error\":");
				json_str(line + 6);
				printf("}\n");
			}
			if (tty)
				printf("\n");
			fprintf(stderr, "sevm: %s\n", line + 6);
			fclose(f);
			return RUN_ERROR;
		}
	}
	fprintf(stderr, "sevm: the source's control socket closed before the migration ended\n");
	fclose(f);
	return RUN_ERROR;
}

int status_cli(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"control", required_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},
	    {"vm", required_argument, NULL, 'v'},
	    {NULL, 0, NULL, 0},
	};
	const char *control = NULL, *vm_name = NULL;
	bool json = false;
	char line[1024];
	int c;
	FILE *f;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_status, stdout);
			return RUN_OK;
		}
		if (c == 'c')
			control = optarg;
		else if (c == 'j')
			json = true;
		else if (c == 'v')
			vm_name = optarg;
		else
			return usage("status", "unknown option or missing value");
	}
	if (optind != argc)
		return usage("status", "unexpected argument");
	if (control && vm_name)
		return usage("status", "--vm and --control exclude each other");
	if (vm_name && !config_name_is_valid(vm_name))
		return usage("status", "--vm takes a VM name (letters, digits, '.', '_', '-')");
	if (!(f = open_control(control, vm_name)))
		return RUN_ERROR;
	fputs("status\n", f);
	fflush(f);
	if (!get_line(f, line, sizeof(line)) || strncmp(line, "ok", 2)) {
		fprintf(stderr, "sevm: status: %s\n", line[0] ? line : "no answer");
		fclose(f);
		return RUN_ERROR;
	}
	if (json) {
		printf("{");
		json_fields(line);
		printf("}\n");
	} else {
		char copy[1024], *save = NULL;

		snprintf(copy, sizeof(copy), "%s", line + 3);
		for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
			char *eq = strchr(t, '=');

			if (eq)
				*eq = 0, printf("%-10s %s\n", t, eq + 1);
		}
	}
	fclose(f);
	return RUN_OK;
}
