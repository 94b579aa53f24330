# agentd/reclock.mk — the recovery lock helper, $(BUILD)/herd-reclock.
#
# herdd runs it as a child (agentd/reclock.c) to take and hold the fcntl
# recovery lock as a lease; see herd(7), "RECOVERY LOCK". It is a tiny
# program on purpose: libc and agentd/util.c only. Installed into
# $(libexecdir) (PREFIX/libexec/herd); reclock.c is told where with
# HERD_LIBEXECDIR and also looks next to the running herdd first.

RECLOCK_HELPER_SRCS := agentd/reclock_helper.c agentd/util.c

PROGRAMS += $(BUILD)/herd-reclock

$(BUILD)/herd-reclock: $(call obj,$(RECLOCK_HELPER_SRCS))
	$(call say,LD,$@)$(CC) $(HERD_LDFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/obj/agentd/reclock.o: EXTRA_CFLAGS += -DHERD_LIBEXECDIR='"$(libexecdir)"'

.PHONY: install-reclock uninstall-reclock
install: install-reclock
install-reclock: all
	install -d $(DESTDIR)$(libexecdir)
	install -m 755 $(BUILD)/herd-reclock $(DESTDIR)$(libexecdir)/herd-reclock
	install -d $(DESTDIR)$(mandir)/man7
	install -m 644 doc/herd.7 $(DESTDIR)$(mandir)/man7/herd.7
uninstall: uninstall-reclock
uninstall-reclock:
	rm -f $(DESTDIR)$(libexecdir)/herd-reclock $(DESTDIR)$(mandir)/man7/herd.7
