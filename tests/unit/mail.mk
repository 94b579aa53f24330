# tests/unit/mail.mk — the email sink (notify.d/mail*.c).
#
# test_mailmsg     golden messages (tests/unit/mail/*.eml): headers, the
#                  events table, 7bit and quoted-printable, encoded subjects
# test_mailpolicy  tables: filter, type lists, coalescing, rate limit, retry
# test_mailspool   the spool in a temporary directory: add, reload, state,
#                  leftovers, delivery, expiry to failed/
# test_mailsend    the child's report parser (pure) and a child against a
#                  port nothing listens on
# All together well under a second. tests/notify/t-mail*.sh drive the
# whole sink against a real SMTP server through $(BUILD)/tests/mail-driver.
UNIT_TESTS += test_mailmsg test_mailpolicy test_mailspool test_mailsend
test_mailmsg_SRCS := notify.d/mailmsg.c agentd/event.c agentd/buf.c agentd/util.c
test_mailpolicy_SRCS := notify.d/mailpolicy.c agentd/event.c agentd/util.c
test_mailspool_SRCS := notify.d/mailspool.c agentd/util.c
test_mailsend_SRCS := notify.d/mailsend.c agentd/child.c agentd/util.c
test_mailsend_PKGS := libsystemd libesmtp-1.0 libssl libcrypto

# The driver for the shell tests: not named test_*, so that the unit suite
# does not run it. Its source lives with the shell tests.
MAIL_DRIVER := $(BUILD)/tests/mail-driver
MAIL_DRIVER_SRCS := tests/notify/mail_driver.c $(NOTIFY_MAIL_SRCS) agentd/event.c agentd/buf.c \
	agentd/log.c agentd/util.c
TEST_PROGRAMS += $(MAIL_DRIVER)
$(MAIL_DRIVER): $(call obj,$(MAIL_DRIVER_SRCS))
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(HERD_LDFLAGS) $(LDFLAGS) -o $@ $^ $(call pkg_libs,$(NOTIFY_MAIL_PKGS))
