# shellcheck shell=bash
# Sourced by bench-sync.sh and bench-sync-dump.sh: how both measure a client's peak memory, so
# their figures compare. Sets $time_bin (GNU time, unless RSS_FROM_PROC=1 or it is missing) and
# $rss_method (what the reports say), and defines tree_rss.

time_bin=
if [[ ${RSS_FROM_PROC:-0} != 1 && -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then
    time_bin=/usr/bin/time
fi
if [[ -n $time_bin ]]; then
    rss_method='GNU time -v (Maximum resident set size)'
else
    rss_method='highest VmRSS of the process tree, sampled from /proc every 0.1 s'
fi

# Highest VmRSS (kB) over the process tree rooted at $1 right now (children found through
# /proc/PID/task/*/children; reads files only, so the sampling itself costs little).
tree_rss() {
    local queue=("$1") p max=0 rss line f
    while ((${#queue[@]})); do
        p=${queue[0]}
        queue=("${queue[@]:1}")
        rss=
        while read -r line; do
            [[ $line == VmRSS:* ]] && { rss=${line//[^0-9]/}; break; }
        done <"/proc/$p/status" 2>/dev/null || :
        [[ -n $rss ]] && ((rss > max)) && max=$rss
        for f in /proc/"$p"/task/*/children; do
            [[ -r $f ]] || continue
            read -r -a line <"$f" 2>/dev/null || :
            queue+=("${line[@]}")
        done
    done
    echo "$max"
}
