# tests/bench/lib.sh — what the bench scripts share (source it): the figure
# line, median and max, and the settings presets they measure.
#
#   figure NAME VALUE UNIT [TARGET]   print one figure; over its target
#                                     sets status=1 (make bench exits 1)
#   stats VALUES...                   print "median max"
#   now_us                            wall clock, µs
#   BENCH_FASTEST                     CLUSTER_CONF_EXTRA lines of the fastest
#                                     keepalive settings (the other preset,
#                                     "default", adds nothing)

BENCH_FASTEST="[membership]\nkeepalive interval = 100ms\nkeepalive limit = 3"
status=${status:-0}

now_us() { date +%s%6N; }

stats() { # values... -> "median max"
	printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.0f %.0f", m, a[NR]}'
}

figure() { # NAME VALUE UNIT [TARGET]
	local verdict=""
	if [ -n "${4:-}" ]; then
		if awk -v v="$2" -v t="$4" 'BEGIN{exit !(v<=t)}'; then verdict="(target <= $4: ok)"
		else verdict="(target <= $4: OVER)"; status=1; fi
	fi
	printf '%-52s %10s %-4s %s\n' "$1" "$2" "$3" "$verdict"
}
