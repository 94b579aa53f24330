/*
 * agentx_loop.h — net-snmp's file descriptors and timers on an sd-event
 * loop.
 *
 * Before every iteration of the loop (an sd-event prepare callback) it asks
 * net-snmp which descriptors it reads and when it next needs the time
 * (snmp_select_info2, alarms included since SIGALRM is off), and keeps one
 * IO source per descriptor and one timer in step. A readable descriptor
 * goes to snmp_read2, the timer to snmp_timeout and run_alarms. Each
 * descriptor it sees for the first time is made close-on-exec and given a
 * send timeout, so a master agent that stops reading (SIGSTOP) cannot block
 * a send for ever. After each round it calls `after`, where the glue frees
 * what the requests may have been looking at.
 *
 * It decides nothing about SNMP; it owns its sources only.
 */
#ifndef HERD_AGENTX_LOOP_H
#define HERD_AGENTX_LOOP_H

#include <systemd/sd-event.h>

#include "agentd/util.h"

struct axloop;

int axloop_new(sd_event *ev, void (*after)(void *userdata), void *userdata,
	       struct axloop **out);
void axloop_free(struct axloop *l);
/*
 * net-snmp may have closed a descriptor and opened another with the same
 * number (an AgentX reconnect): look at every descriptor again before the
 * next poll. Call it when the master agent connects or goes.
 */
void axloop_recheck(struct axloop *l);

/*
 * While the master agent is away, net-snmp's alarms try to reopen the
 * AgentX session, and a master that hangs (SIGSTOP) blocks each attempt:
 * the open waits net-snmp's whole-second timeout while the listen queue
 * has room, connect() without end once it is full. With the master's Unix
 * socket path given here, the alarms run only once the master takes
 * connections: a connection of our own is put in its listen queue, and the
 * alarms wait until the queue is empty again (asked of the kernel's
 * sock_diag, at most once a second), or run at once when nothing listens
 * there (the attempt fails without waiting). NULL (the master is back, or
 * the address is not a Unix socket) ends the checks.
 */
void axloop_guard_master(struct axloop *l, const char *unix_path);

#endif
