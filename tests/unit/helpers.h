/*
 * helpers.h — what the unit tests that run real /bin/sh scripts on a real
 * sd-event loop share (test_child, test_script, test_monitor,
 * test_handlers): a temporary top directory that is removed at exit
 * whatever happens (atexit, and on SIGABRT/SIGINT/SIGTERM/SIGHUP), a fresh
 * directory per test below it, files and scripts written there and read
 * back, the loop run until something happened, and orphaned grandchildren
 * reaped (the test process is their subreaper).
 *
 * Include it after <cmocka.h>: the helpers fail the running test with
 * cmocka's asserts.
 *
 *   helpers_init()          make /tmp/NAME.XXXXXX, removed at exit
 *   helpers_test_dir()      a fresh directory for one test, below it
 *   helpers_rm_tree()       remove a tree (no error when it is not there)
 *   helpers_child_setup()   block SIGCHLD and become a child subreaper
 *   helpers_write_path()    write PATH with a text and a mode
 *   helpers_write_file()    write DIR/NAME with a text and a mode
 *   helpers_write_script()  write DIR/NAME as "#!/bin/sh\nBODY\n", mode 0755
 *   helpers_read_file()     the contents of DIR/NAME, "" when missing
 *   helpers_run_until()     run the loop until *flag, failing at a deadline
 *   helpers_run_until_file() run the loop until DIR/NAME exists, the same
 *   helpers_reap_orphan()   wait for a grandchild to die, reap it, its status
 */
#ifndef HERD_TESTS_UNIT_HELPERS_H
#define HERD_TESTS_UNIT_HELPERS_H

#include <sys/types.h>
#include <systemd/sd-event.h>

#include "agentd/util.h"

/*
 * Create the top directory /tmp/NAME.XXXXXX and arrange for it to be
 * removed at exit and on fatal signals. 0, or -1 (the test cannot run).
 */
int helpers_init(const char *name);

/* Create TOP/t.XXXXXX into buf. 0, or -1. */
int helpers_test_dir(char *buf, size_t len);

void helpers_rm_tree(const char *path);

/*
 * Block SIGCHLD (sd_event_add_child needs it, as herdd has it) and become
 * the subreaper of orphaned grandchildren. 0, or -1.
 */
int helpers_child_setup(void);

void helpers_write_path(const char *path, const char *text, mode_t mode);
void helpers_write_file(const char *dir, const char *name, const char *text, mode_t mode);
void helpers_write_script(const char *dir, const char *name, const char *body);

/* A static buffer (16 KiB at most), overwritten by the next call. */
const char *helpers_read_file(const char *dir, const char *name);

void helpers_run_until(sd_event *e, const bool *flag, usec_t max);
void helpers_run_until_file(sd_event *e, const char *dir, const char *name, usec_t max);
/* Tear-down: run the loop a little so it reaps the children a test left
 * killed, drop it (*e becomes NULL) and remove the test's directory. */
void helpers_end_loop(sd_event **e, const char *dir);

/*
 * Wait (reaping it: we are its subreaper) until pid is gone, for 3 s at
 * most; its wait status, or -1 when someone else reaped it.
 */
int helpers_reap_orphan(pid_t pid);

#endif
