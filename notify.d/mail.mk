# notify.d/mail.mk — the email sink: message composition (mailmsg, pure),
# the policy (mailpolicy, pure), the spool (mailspool), sending through
# libesmtp in a child process (mailsend) and the sink on sd-event (mail).
#
# herdd links $(NOTIFY_MAIL_SRCS) with $(NOTIFY_MAIL_PKGS); the unit tests
# and the test driver (tests/unit/mail.mk) use them too.

# mailsend runs its child on agentd/child.c (fork without exec).
NOTIFY_MAIL_SRCS := notify.d/mail.c notify.d/mailmsg.c notify.d/mailpolicy.c \
	notify.d/mailspool.c notify.d/mailsend.c agentd/child.c
NOTIFY_MAIL_PKGS := libesmtp-1.0 libssl libcrypto libsystemd json-c

# libesmtp's and OpenSSL's headers: only mailsend.c includes them.
$(call obj,notify.d/mailsend.c): EXTRA_CFLAGS += $(call pkg_cflags,libesmtp-1.0 libssl libcrypto)
