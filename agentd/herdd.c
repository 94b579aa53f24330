/*
 * herdd.c — the node daemon's main(): options, configuration check mode,
 * logging set-up, optional detaching, then the daemon glue (daemon.c).
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>

#include "agentd/daemon.h"
#include "agentd/log.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: herdd [OPTIONS]\n"
		"\n"
		"The herd cluster node daemon.\n"
		"\n"
		"  -c, --config-dir DIR   configuration directory (default %s)\n"
		"  -f, --config-file FILE herd.conf to read (default DIR/herd.conf)\n"
		"  -d, --foreground       stay in the foreground and log to stderr\n"
		"  -D, --daemon           detach from the terminal (not under systemd)\n"
		"  -n, --check            check the configuration and exit (0 valid, 1 not)\n"
		"  -v, --verbose          with -n: print the normalized configuration\n"
		"  -V, --version          print the version and exit\n"
		"  -h, --help             this text\n"
		"\n"
		"Without -d herdd logs to the journal when it runs, else to syslog.\n"
		"See herdd(8) and herd.conf(5).\n",
		HERD_SYSCONFDIR);
}

static int detach(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return -errno;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config-dir", required_argument, NULL, 'c' },
		{ "config-file", required_argument, NULL, 'f' },
		{ "foreground", no_argument, NULL, 'd' },
		{ "daemon", no_argument, NULL, 'D' },
		{ "check", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dir = HERD_SYSCONFDIR, *file = NULL;
	bool foreground = false, daemonize = false, check = false, verbose = false;
	struct conf_error err = { "" };
	struct herd_conf *cf = NULL;
	struct herdd *d = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "c:f:dDnvVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': dir = optarg; break;
		case 'f': file = optarg; break;
		case 'd': foreground = true; break;
		case 'D': daemonize = true; break;
		case 'n': check = true; break;
		case 'v': verbose = true; break;
		case 'V': printf("herdd %s\n", HERD_PKG_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "herdd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (foreground && daemonize) {
		fprintf(stderr, "herdd: -d and -D exclude each other\n");
		return 2;
	}

	r = conf_load(dir, file, &cf, &err);
	if (r < 0) {
		fprintf(stderr, "herdd: %s\n", err.msg);
		return 1;
	}
	if (check) {
		if (verbose)
			conf_print(stdout, cf);
		conf_free(cf);
		return 0;
	}

	if (daemonize && (r = detach()) < 0) {
		fprintf(stderr, "herdd: cannot detach: %s\n", strerror(-r));
		conf_free(cf);
		return 1;
	}
	umask(022);
	log_open("herdd", foreground ? LOG_TARGET_STDERR : LOG_TARGET_AUTO);
	r = herdd_new(dir, file, cf, &d);
	if (r < 0) {
		conf_free(cf);
		log_close();
		return 1;
	}
	r = herdd_run(d);
	herdd_free(d);
	log_close();
	return r;
}
