# notify.d/handlers.mk — the notify.d handler runner (issue 6): the runner
# (handlers), a handler run on agentd/child.c (handlers_proc), the directory
# scan (handlers_scan), argv/environment (handlers_env) and the JSON of
# `herdctl notify status|test` (handlers_json); and the example handlers
# that `make install` ships.
#
# herdd links $(NOTIFY_HANDLERS_SRCS) with $(NOTIFY_HANDLERS_PKGS); the unit
# tests (tests/unit/handlers.mk) do too.

NOTIFY_HANDLERS_SRCS := notify.d/handlers.c notify.d/handlers_proc.c notify.d/handlers_scan.c \
	notify.d/handlers_env.c notify.d/handlers_json.c agentd/child.c
NOTIFY_HANDLERS_PKGS := libsystemd json-c

# Examples go where a site copies them from into $(sysconfdir)/herd/notify.d
# (none runs until it is there and executable).
NOTIFY_EXAMPLES := $(wildcard notify.d/examples/[0-9]*)
notify_exampledir := $(PREFIX)/share/herd/examples/notify.d

.PHONY: install-notify-handlers uninstall-notify-handlers
install: install-notify-handlers
uninstall: uninstall-notify-handlers

install-notify-handlers:
	install -d $(DESTDIR)$(notify_exampledir) $(DESTDIR)$(sysconfdir)/herd/notify.d
	install -m 755 $(NOTIFY_EXAMPLES) $(DESTDIR)$(notify_exampledir)/

uninstall-notify-handlers:
	rm -f $(addprefix $(DESTDIR)$(notify_exampledir)/,$(notdir $(NOTIFY_EXAMPLES)))
	-rmdir $(DESTDIR)$(notify_exampledir)
