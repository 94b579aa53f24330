# notify.d/evlog.mk — the persistent event log (evlog.c, a TDB under the
# state dir) and the logwatch-style digest (digest.c, pure: events in, text
# out). herdd's glue links $(EVLOG_SRCS) $(DIGEST_SRCS) and adds
# $(EVLOG_PKGS) to its pkg-config list; the unit tests and the bench use
# the same variables.
EVLOG_SRCS := notify.d/evlog.c
EVLOG_PKGS := tdb
DIGEST_SRCS := notify.d/digest.c notify.d/digest_range.c

$(call obj,$(EVLOG_SRCS)): EXTRA_CFLAGS += $(call pkg_cflags,$(EVLOG_PKGS))
