# failover/ipalloc.mk — public-IP allocation (ipalloc*.c): pure functions,
# CTDB's lcp2, deterministic and nondeterministic algorithms. No
# dependencies beyond libc. herdctl links them for `herdctl ipalloc`
# (agentd/Makefile.inc); the glue adds $(IPALLOC_SRCS) to herdd when the
# leader allocates.
IPALLOC_SRCS := failover/ipalloc.c failover/ipalloc_lcp2.c failover/ipalloc_text.c
