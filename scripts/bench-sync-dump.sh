#!/usr/bin/env bash
# Dump benchmark (issue 6): restoring a staging database from a pg_dump archive, masked by pgward
# against unmasked by pg_restore, in one run on one throwaway cluster. The source is the sync
# benchmark's generated production-like database (scripts/bench-sync/*.sql, the same generator
# and SCALE as scripts/bench-sync.sh). Its archive is made once, then, interleaved and repeated:
#
#   (r) createdb, then pg_restore -j J --no-owner -d <that database> ARCHIVE   (no masking)
#   (p) pgward sync --dump ARCHIVE --jobs J, masked with scripts/bench-sync/profile.toml
#       (every PII column masked), into a fresh target
#
# Both end with the same database: tables, data, indexes, constraints, sequences (pgward's rows
# masked). Each timing is the wall time of the whole client command, from an empty target to a
# finished restore; the target is dropped and a CHECKPOINT taken before each run, so no run
# inherits the previous one's dirty buffers. Reported: every run's seconds, the median per tool,
# the ratio of the medians (p)/(r), the peak RSS of the client process (GNU time's "Maximum
# resident set size" when /usr/bin/time exists, else the highest VmRSS sampled from /proc every
# 0.1 s; the server's memory is not counted), and pgward's stage timings from its run report.
#
# Usage: scripts/bench-sync-dump.sh            (from anywhere; builds pgward with cargo build --release)
# Environment:
#   SCALE=480      thousands of generated users; 480 gives a source of about 2.2 GB (4.6 kB/user),
#                  80 about 370 MB
#   JOBS=$(nproc)  pg_restore -j, pgward --jobs; a list ("1 2") times each value in every round.
#                  The largest is the number of generator sessions and pg_dump -Fd -j.
#   ROUNDS=3       runs of each tool, interleaved (r p r p ...)
#   FORMAT=custom  the archive: custom (pg_dump -Fc, to a file, default compression: gzip) or
#                  directory (pg_dump -Fd -j <largest JOBS>); both: each round times both archives
#   COMPRESS=      pg_dump's -Z/--compress value (e.g. 0, lz4, zstd); default: pg_dump's default
#   PGWARD_BIN=    a pgward binary to use instead of building one
#   RSS_FROM_PROC=1  sample /proc even when GNU time is installed
#   PIN=1          pin the server to CPU 0 and the timed client (pg_restore, pgward) to CPU 1, as if
#                  the client had a machine of its own (a CI runner beside the database server);
#                  needs taskset (util-linux) and 2 CPUs. Off by default: everything shares all CPUs.
#   PERF=1         also record pgward's last run with `perf record -g` (to $BENCH_DIR/pgward.perf)
#   KEEP=1         keep the cluster and archive (prints where) for more runs by hand
#   BENCH_DIR=     parent of the cluster's temp dir (default /tmp; keep it short: the socket lives
#                  there and socket paths are limited to about 107 bytes)
# Needs PostgreSQL's server and client binaries (initdb, pg_ctl, psql, pg_dump, pg_restore, one
# version); as root, the server runs as the `postgres` user.
#
# Disk: the source, the archive (about 0.3x the source with gzip) and one target at a time:
# about 2.5x the source. Server settings: the sync benchmark's (shared_buffers=1GB,
# maintenance_work_mem=512MB, work_mem=64MB, max_wal_size=4GB, checkpoint_timeout=15min; fsync,
# synchronous_commit, full_page_writes, wal_level at their defaults).
set -euo pipefail

SCALE=${SCALE:-480}
JOBS=${JOBS:-$(nproc)}
ROUNDS=${ROUNDS:-3}
FORMAT=${FORMAT:-custom}
COMPRESS=${COMPRESS:-}
PERF=${PERF:-0}
PIN=${PIN:-0}
KEEP=${KEEP:-0}
BENCH_DIR=${BENCH_DIR:-/tmp}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
files=$here/bench-sync
salt=bench-salt-not-secret

die() { echo "bench-sync-dump: $*" >&2; exit 1; }
log() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

for v in SCALE ROUNDS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done
read -r -a jobs_list <<<"$JOBS"
max_jobs=0
for j in "${jobs_list[@]}"; do
    [[ $j =~ ^[1-9][0-9]*$ ]] || die "JOBS must be positive integers, got '$JOBS'"
    ((j > max_jobs)) && max_jobs=$j
done
((max_jobs > 0)) || die "JOBS is empty"
case $FORMAT in
custom) formats=(custom) ;;
directory) formats=(directory) ;;
both) formats=(custom directory) ;;
*) die "FORMAT must be custom, directory or both, got '$FORMAT'" ;;
esac

# shellcheck source=bench-sync/binaries.sh
. "$files/binaries.sh"

pgward=${PGWARD_BIN:-}
if [[ -z $pgward ]]; then
    log "building pgward (cargo build --release)"
    (cd "$repo" && cargo build --release --quiet) || die "cargo build --release failed"
    pgward=$repo/target/release/pgward
fi
[[ $PERF == 1 ]] && ! command -v perf >/dev/null && die "PERF=1 needs perf"

# ---------------------------------------------------------------------------------------------
# The cluster: a temp dir of its own holding data/, the socket, the log and the archive; no TCP.
dir=$(mktemp -d "$BENCH_DIR/pgw-dump-XXXXXX")
[[ $(id -u) == 0 ]] && chown postgres: "$dir"
chmod 755 "$dir"
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    local p
    for p in $(jobs -p); do kill "$p" 2>/dev/null || :; done
    if [[ $KEEP == 1 ]]; then
        log "kept the cluster in $dir (stop: pg_ctl -D $dir/data stop; then rm -rf $dir)"
        exit "$status"
    fi
    if [[ -f $dir/data/postmaster.pid ]]; then
        as_server "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || :
    fi
    rm -rf "$dir"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench-sync/cluster.sh
. "$files/cluster.sh"
start_cluster "bench-sync-dump.sh (the settings of bench-sync.sh)"
client=()
if [[ $PIN == 1 ]]; then
    command -v taskset >/dev/null || die "PIN=1 needs taskset (util-linux)"
    (($(nproc) >= 2)) || die "PIN=1 needs 2 CPUs"
    # Backends fork from the postmaster and inherit its CPU; the running helpers are moved too.
    postmaster=$(head -n 1 "$dir/data/postmaster.pid")
    for p in $postmaster $(pgrep -P "$postmaster"); do taskset -a -p -c 0 "$p" >/dev/null; done
    client=(taskset -c 1)
    log "server pinned to CPU 0, the timed clients to CPU 1"
fi

# ---------------------------------------------------------------------------------------------
# Measuring: wall seconds, peak RSS (kB) of the client process.
# shellcheck source=bench-sync/measure.sh
. "$files/measure.sh"
# measure CMD...: runs CMD; sets $took (seconds) and $peak (kB); returns CMD's status.
measure() {
    local status=0 t0 t1
    peak=0
    t0=$(date +%s.%N)
    if [[ -n $time_bin ]]; then
        "$time_bin" -v -o "$dir/time.out" "$@" || status=$?
        peak=$(awk -F': *' '/Maximum resident set size/ {print $2}' "$dir/time.out")
    else
        "$@" &
        local pid=$! cur
        while kill -0 "$pid" 2>/dev/null; do
            cur=$(tree_rss "$pid")
            ((cur > peak)) && peak=$cur
            sleep 0.1
        done
        wait "$pid" || status=$?
    fi
    t1=$(date +%s.%N)
    took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    return "$status"
}
mib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }
db_size() { sql postgres "SELECT pg_size_pretty(pg_database_size('$1'))"; }
drop_db() { sql postgres "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

tables="\"user\" api_tokens oauth_accounts profile invoices support_tickets events"
row_counts() {
    local t q=""
    for t in $tables; do q+="${q:+ UNION ALL }SELECT '$t', count(*) FROM $t"; done
    sql "$1" "$q ORDER BY 1" | tr '\n' ' '
}

# ---------------------------------------------------------------------------------------------
# The source and its archive(s).
users=$((SCALE * 1000))
log "generating the source: $users users in $max_jobs sessions"
sql postgres "CREATE DATABASE bench_source" >/dev/null
psql_ -d bench_source -f "$files/schema.sql"
pids=()
for ((i = 0; i < max_jobs; i++)); do
    lo=$((users * i / max_jobs + 1))
    hi=$((users * (i + 1) / max_jobs))
    psql_ -d bench_source -v lo="$lo" -v hi="$hi" -f "$files/generate.sql" &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || die "a generator session failed"; done
psql_ -d bench_source -f "$files/finalize.sql" >/dev/null
source_size=$(db_size bench_source)
source_rows=$(row_counts bench_source)
log "source ready: $source_size"

compress_args=()
[[ -n $COMPRESS ]] && compress_args=(--compress="$COMPRESS")
declare -A archive=() archive_size=()
for f in "${formats[@]}"; do
    case $f in
    custom)
        archive[$f]=$dir/bench.dump
        "$bindir/pg_dump" -Fc "${compress_args[@]}" -d bench_source -f "${archive[$f]}"
        ;;
    directory)
        archive[$f]=$dir/bench.dir
        "$bindir/pg_dump" -Fd -j "$max_jobs" "${compress_args[@]}" -d bench_source -f "${archive[$f]}"
        ;;
    esac
    archive_size[$f]=$(du -sm "${archive[$f]}" | cut -f1)
    log "archive ($f${COMPRESS:+, --compress=$COMPRESS}): ${archive_size[$f]} MB"
done
# pg_restore and pgward read the archive from the page cache in every round alike.

# ---------------------------------------------------------------------------------------------
run_restore() { # format jobs
    # createdb is timed too: pgward's time includes creating its new database.
    measure "${client[@]}" sh -c '"$1" bench_r && "$2" -j "$3" --no-owner -d bench_r "$4"' sh \
        "$bindir/createdb" "$bindir/pg_restore" "$2" "${archive[$1]}"
}
run_pgward() { # format jobs
    local perf=()
    [[ $PERF == 1 && $round == "$ROUNDS" ]] && perf=(perf record -g -o "$BENCH_DIR/pgward-$1-j$2.perf" --)
    STAGING_SAFETY_LOCK=enabled PGWARD_SALT=$salt \
        measure "${perf[@]}" "${client[@]}" "$pgward" sync --dump "${archive[$1]}" --target "$(url bench_p)" \
        --profile "$files/profile.toml" --jobs "$2" --progress log --drop-old \
        --report "$dir/p-report.json" >"$dir/p.log" 2>&1
}

declare -A secs=() peaks=() stages=() size=()
for ((round = 1; round <= ROUNDS; round++)); do
    for f in "${formats[@]}"; do
        for j in "${jobs_list[@]}"; do
            for n in r p; do
                db=bench_$n
                drop_db "$db"
                drop_db "${db}__pgward_old"
                drop_db "${db}__pgward_new"
                sql postgres CHECKPOINT >/dev/null
                what="round $round, $f, -j $j: ($n)"
                log "$what starting, load average $(cut -d' ' -f1-3 /proc/loadavg)"
                if [[ $n == r ]]; then run_restore "$f" "$j"; else run_pgward "$f" "$j"; fi ||
                    { [[ $n == p ]] && tail -n 20 "$dir/p.log" >&2; die "$what failed"; }
                log "$what $took s, peak client RSS $(mib "$peak")"
                key=$f.$j.$n
                secs[$key]+="$took "
                ((${peaks[$key]:-0} > peak)) || peaks[$key]=$peak
                if [[ $n == p ]] && command -v jq >/dev/null; then
                    stages[$f.$j]=$(jq -r '[.stages[] | "\(.name) \(.seconds * 10 | round / 10)"] | join(", ")' "$dir/p-report.json")
                    log "    pgward stages: ${stages[$f.$j]}"
                fi
                if [[ -z ${size[$key]:-} ]]; then
                    rows=$(row_counts "$db")
                    [[ $rows == "$source_rows" ]] || die "($n) row counts differ from the source: $rows vs $source_rows"
                    size[$key]=$(db_size "$db")
                fi
            done
        done
    done
done
for db in bench_r bench_p bench_p__pgward_old; do drop_db "$db"; done

# ---------------------------------------------------------------------------------------------
mem_total=$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
server_version=$(sql postgres "SHOW server_version")
echo
echo "## Dump benchmark"
echo
echo "Source: SCALE=$SCALE ($users users), $source_size; rows per table: $source_rows"
echo "Machine: $(nproc) cores ($cpu), $mem_total RAM, PostgreSQL $server_version, $("$pgward" --version); JOBS='$JOBS', ROUNDS=$ROUNDS interleaved$([[ $PIN == 1 ]] && echo ", PIN=1: server on CPU 0, client on CPU 1"); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "Peak memory: $rss_method of the client process; the server's is not counted."
echo
echo "| Archive | Tool | Seconds (runs) | Median | x of pg_restore | Peak client memory | Target size |"
echo "|---|---|---|---:|---:|---:|---:|"
for f in "${formats[@]}"; do
    label="\`pg_dump -Fc${COMPRESS:+ -Z $COMPRESS}\`, ${archive_size[$f]} MB"
    [[ $f == directory ]] && label="\`pg_dump -Fd -j $max_jobs${COMPRESS:+ -Z $COMPRESS}\`, ${archive_size[$f]} MB"
    for j in "${jobs_list[@]}"; do
        r=$f.$j.r p=$f.$j.p
        r_med=$(tr ' ' '\n' <<<"${secs[$r]}" | grep . | median)
        p_med=$(tr ' ' '\n' <<<"${secs[$p]}" | grep . | median)
        ratio=$(awk -v p="$p_med" -v r="$r_med" 'BEGIN { printf "%.2f", p / r }')
        echo "| $label | \`pg_restore -j $j\`, not masked | ${secs[$r]% } | $r_med | 1.00 | $(mib "${peaks[$r]}") | ${size[$r]} |"
        echo "| $label | \`pgward sync --dump --jobs $j\`, masked | ${secs[$p]% } | $p_med | $ratio | $(mib "${peaks[$p]}") | ${size[$p]} |"
    done
done
for f in "${formats[@]}"; do
    for j in "${jobs_list[@]}"; do
        [[ -n ${stages[$f.$j]:-} ]] && echo && echo "pgward stages ($f, --jobs $j, last run, seconds): ${stages[$f.$j]}"
    done
done
[[ $PERF == 1 ]] && echo && echo "perf data: $BENCH_DIR/pgward-*.perf (perf report -i ...)"
exit 0
