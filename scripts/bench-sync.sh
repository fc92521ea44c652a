#!/usr/bin/env bash
# Sync benchmark: times, in one run on one throwaway cluster, three ways to refresh a staging
# database from a generated production-like source (PII in columns, jsonb, text[] and free text):
#
#   (a) dump + restore, no masking:  pg_dump -Fc -Z0 to a file, then pg_restore -j JOBS into a
#       fresh database (to a file because pg_restore -j cannot read a pipe);
#   (b) dump + restore + UPDATE:     (a), then one UPDATE per table masking the columns that the
#       profile masks (scripts/bench-sync/update/*.sql, JOBS sessions at once; free text with
#       regular expressions): the classic weekly_staging_sync.sh;
#   (c) pgward sync --jobs JOBS with scripts/bench-sync/profile.toml (every PII column masked).
#
# For each: wall seconds, peak RSS of the largest client process (GNU time's "Maximum resident set
# size" when /usr/bin/time exists, else the highest VmRSS sampled from /proc every 0.1 s; server
# memory is not counted), the target's size, and for (b) and (c) how many rows of the target
# still hold an email address of the source (a data-only dump of the target through grep).
# Ends with a Markdown table for the README and the machine it ran on.
#
# Usage: scripts/bench-sync.sh            (from anywhere; builds pgward with cargo build --release)
# Environment:
#   SCALE=480      thousands of generated users; 480 gives a source of about 2.2 GB (4.6 kB/user)
#   JOBS=$(nproc)  pg_restore -j, pgward --jobs, generator and UPDATE sessions
#   ROUNDS=1       repeat (a), (b), (c) interleaved; the table shows each approach's fastest run
#   PGWARD_BIN=    a pgward binary to use instead of building one
#   SKIP_PGWARD=1  time only the baselines (a) and (b)
#   CHECK_PII=0    skip the leftover-email scans (each reads a data-only dump of a target)
#   RSS_FROM_PROC=1  sample /proc even when GNU time is installed
#   BENCH_DIR=     parent of the cluster's temp dir (default /tmp; keep it short: the socket lives
#                  there and socket paths are limited to about 107 bytes)
# Needs PostgreSQL's server and client binaries (initdb, pg_ctl, psql, pg_dump, pg_restore, one
# version); as root, the server runs as the `postgres` user.
#
# Disk: about 5x the source size at the peak (source, dump file, the UPDATEd target with its dead
# row versions, WAL up to max_wal_size); each target is dropped once measured. SCALE=480 needs
# about 12-14 GB free.
#
# Server settings (a bulk-load benchmark, the same for all three approaches): shared_buffers=1GB,
# maintenance_work_mem=512MB (index builds), work_mem=64MB, max_wal_size=4GB and
# checkpoint_timeout=15min (few checkpoints during the loads). Durability left at the defaults:
# fsync=on, synchronous_commit=on, full_page_writes=on, wal_level=replica. Autovacuum on (the
# default); the source is vacuumed and frozen after generation so it does not run there.
set -euo pipefail

SCALE=${SCALE:-480}
JOBS=${JOBS:-$(nproc)}
ROUNDS=${ROUNDS:-1}
SKIP_PGWARD=${SKIP_PGWARD:-0}
CHECK_PII=${CHECK_PII:-1}
BENCH_DIR=${BENCH_DIR:-/tmp}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
files=$here/bench-sync
salt=bench-salt-not-secret
# The source's email domains; pgward's and the UPDATEs' fakes use example.com/.net/.org.
source_email_re='@(gmail|yahoo|outlook|hotmail|icloud|fastmail|acme-corp)\.com|@proton\.me'

die() { echo "bench-sync: $*" >&2; exit 1; }
log() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

for v in SCALE JOBS ROUNDS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done

# shellcheck source=bench-sync/binaries.sh
. "$files/binaries.sh"

# ---------------------------------------------------------------------------------------------
# pgward: a release build, once, before anything is timed.
pgward=${PGWARD_BIN:-}
if [[ $SKIP_PGWARD != 1 && -z $pgward ]]; then
    log "building pgward (cargo build --release)"
    (cd "$repo" && cargo build --release --quiet) || die "cargo build --release failed"
    pgward=$repo/target/release/pgward
fi

# ---------------------------------------------------------------------------------------------
# The cluster: a temp dir of its own holding data/, the socket and the log; no TCP.
dir=$(mktemp -d "$BENCH_DIR/pgw-bench-XXXXXX")
[[ $(id -u) == 0 ]] && chown postgres: "$dir"
chmod 755 "$dir"
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    # Background generator sessions, if interrupted while they ran.
    local p
    for p in $(jobs -p); do kill "$p" 2>/dev/null || :; done
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
start_cluster "bench-sync.sh"

# ---------------------------------------------------------------------------------------------
# Measuring: wall seconds of a whole approach, peak RSS (kB) of its largest client process.
# shellcheck source=bench-sync/measure.sh
. "$files/measure.sh"

# step CMD...: runs one client command (also from a background subshell), appends its peak RSS
# in kB to $dir/rss, returns its exit status.
step() {
    local rss=0 status=0
    if [[ -n $time_bin ]]; then
        local out
        out=$(mktemp "$dir/time.XXXXXX")
        "$time_bin" -v -o "$out" "$@" || status=$?
        rss=$(awk -F': *' '/Maximum resident set size/ {print $2}' "$out")
        rm -f "$out"
    else
        "$@" &
        local pid=$! cur
        while kill -0 "$pid" 2>/dev/null; do
            cur=$(tree_rss "$pid")
            ((cur > rss)) && rss=$cur
            sleep 0.1
        done
        wait "$pid" || status=$?
    fi
    echo "${rss:-0}" >>"$dir/rss"
    return "$status"
}

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }
db_size() { sql postgres "SELECT pg_size_pretty(pg_database_size('$1'))"; }
drop_db() { sql postgres "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null; }

tables="\"user\" api_tokens oauth_accounts profile invoices support_tickets events"
row_counts() {
    local t q=""
    for t in $tables; do q+="${q:+ UNION ALL }SELECT '$t', count(*) FROM $t"; done
    sql "$1" "$q ORDER BY 1" | tr '\n' ' '
}
# Rows of a data-only dump of database $1 that hold a source email address.
emails_left() { "$bindir/pg_dump" --data-only -d "$1" | grep -cE "$source_email_re" || :; }

# About 5x the source at the peak (see the header); a full disk fails a run half-way.
need_mb=$((SCALE * 5 * 46 / 10))
free_mb=$(df -Pm "$dir" | awk 'NR == 2 { print $4 }')
if [[ -n $free_mb ]] && ((free_mb < need_mb)); then
    log "warning: $free_mb MB free in $BENCH_DIR, the run may need about $need_mb MB"
fi

# ---------------------------------------------------------------------------------------------
# The source.
users=$((SCALE * 1000))
log "generating the source: $users users in $JOBS sessions"
t0=$(now)
sql postgres "CREATE DATABASE bench_source" >/dev/null
psql_ -d bench_source -f "$files/schema.sql"
pids=()
for ((i = 0; i < JOBS; i++)); do
    lo=$((users * i / JOBS + 1))
    hi=$((users * (i + 1) / JOBS))
    psql_ -d bench_source -v lo="$lo" -v hi="$hi" -f "$files/generate.sql" &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || die "a generator session failed"; done
psql_ -d bench_source -f "$files/finalize.sql" >/dev/null
log "source ready in $(secs "$t0" "$(now)") s: $(db_size bench_source)"
source_rows=$(row_counts bench_source)
source_size=$(db_size bench_source)
source_bytes=$(sql postgres "SELECT pg_database_size('bench_source')")
source_emails=
[[ $CHECK_PII == 1 ]] && source_emails=$(emails_left bench_source)
sql bench_source "SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid))
                  FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC" |
    sed 's/^/    /; s/|/  /g' >&2

# ---------------------------------------------------------------------------------------------
# The approaches: each runs its client commands through `step` and fails as soon as one does.
approach_a() {
    step "$bindir/pg_dump" -Fc -Z0 -d bench_source -f "$dir/a.dump" || return
    step "$bindir/createdb" bench_a || return
    step "$bindir/pg_restore" -j "$JOBS" --no-owner -d bench_a "$dir/a.dump"
}
approach_b() {
    step "$bindir/pg_dump" -Fc -Z0 -d bench_source -f "$dir/b.dump" || return
    step "$bindir/createdb" bench_b || return
    step "$bindir/pg_restore" -j "$JOBS" --no-owner -d bench_b "$dir/b.dump" || return
    # One session per table, largest tables first, JOBS sessions at once.
    local f running=0 failed=0
    for f in invoices support_tickets profile user oauth_accounts api_tokens; do
        step "${psql_cmd[@]}" -d bench_b -f "$files/update/$f.sql" &
        running=$((running + 1))
        if ((running >= JOBS)); then
            wait -n || failed=1
            running=$((running - 1))
        fi
    done
    while ((running > 0)); do
        wait -n || failed=1
        running=$((running - 1))
    done
    return "$failed"
}
approach_c() {
    STAGING_SAFETY_LOCK=enabled PGWARD_SALT=$salt \
        step "$pgward" sync --source "$(url bench_source)" --target "$(url bench_c)" \
        --profile "$files/profile.toml" --jobs "$JOBS" --progress log --drop-old \
        --report "$dir/c-report.json" >"$dir/c.log" 2>&1
}

declare -A best_secs=() best_peak=() target_size=() target_emails=() status=() failures=()
names=(a b c)
[[ $SKIP_PGWARD == 1 ]] && names=(a b)
for ((round = 1; round <= ROUNDS; round++)); do
    for n in "${names[@]}"; do
        db=bench_$n
        drop_db "$db"
        sql postgres CHECKPOINT >/dev/null
        log "round $round: ($n) starting, load average $(cut -d' ' -f1-3 /proc/loadavg)"
        : >"$dir/rss"
        t0=$(now)
        if "approach_$n"; then ok=1; else ok=0; fi
        s=$(secs "$t0" "$(now)")
        peak=$(sort -n "$dir/rss" | tail -n 1)
        if ((ok)); then
            log "round $round: ($n) $s s, peak client RSS $(mib "$peak")"
            if [[ -z ${best_secs[$n]:-} ]] || awk -v a="$s" -v b="${best_secs[$n]}" 'BEGIN { exit !(a < b) }'; then
                best_secs[$n]=$s
            fi
            ((${best_peak[$n]:-0} > peak)) || best_peak[$n]=$peak
            status[$n]=ok
            if [[ -z ${target_size[$n]:-} ]]; then
                rows=$(row_counts "$db")
                [[ $rows == "$source_rows" ]] || log "($n) row counts differ from the source: $rows vs $source_rows"
                target_size[$n]=$(db_size "$db")
                if [[ $CHECK_PII == 1 && $n != a ]]; then
                    target_emails[$n]=$(emails_left "$db")
                fi
            fi
        else
            log "round $round: ($n) FAILED after $s s"
            [[ $n == c ]] && tail -n 15 "$dir/c.log" >&2
            failures[$n]=$((${failures[$n]:-0} + 1))
        fi
        rm -f "$dir/$n.dump"
        drop_db "$db"
        drop_db "${db}__pgward_old"
        drop_db "${db}__pgward_new"
    done
done

# ---------------------------------------------------------------------------------------------
# The report.
declare -A label=(
    [a]="(a) \`pg_dump -Fc -Z0\` + \`pg_restore -j $JOBS\`, no masking"
    [b]="(b) (a) + \`UPDATE\`s of the masked columns"
    [c]="(c) \`pgward sync --jobs $JOBS\`, all PII masked"
)
mem_total=$(awk '/^MemTotal:/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
server_version=$(sql postgres "SHOW server_version")
pgward_version=
[[ -n $pgward ]] && pgward_version=$("$pgward" --version 2>/dev/null || :)

echo
echo "## Sync benchmark"
echo
echo "Source: SCALE=$SCALE ($users users), $source_size ($source_bytes bytes), rows per table: $source_rows"
echo "Machine: $(nproc) cores ($cpu), $mem_total RAM, PostgreSQL $server_version${pgward_version:+, $pgward_version}; JOBS=$JOBS, ROUNDS=$ROUNDS (fastest run shown); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "Peak memory: $rss_method, of the largest client process (pg_dump, pg_restore, psql, pgward); the server's is not counted."
[[ $CHECK_PII == 1 ]] && echo "Emails left: rows of a data-only dump of the target holding an email address of the source (the source has $source_emails)."
echo
echo "| Approach | Seconds | x of (a) | Peak client memory | Target size | Source emails left |"
echo "|---|---:|---:|---:|---:|---:|"
for n in "${names[@]}"; do
    if [[ ${status[$n]:-} == ok ]]; then
        ratio=$(awk -v x="${best_secs[$n]}" -v a="${best_secs[a]:-0}" 'BEGIN { if (a > 0) printf "%.2f", x / a; else print "-" }')
        left=${target_emails[$n]:-}
        [[ $n == a ]] && left="all (no masking)"
        [[ $CHECK_PII == 1 ]] || left="not measured"
        failed_note=
        ((${failures[$n]:-0} > 0)) && failed_note=" (${failures[$n]} of $ROUNDS rounds failed)"
        echo "| ${label[$n]}$failed_note | ${best_secs[$n]} | $ratio | $(mib "${best_peak[$n]}") | ${target_size[$n]} | $left |"
    else
        echo "| ${label[$n]} | failed | - | - | - | - |"
    fi
done
if [[ ${status[c]:-} == ok && -s $dir/c-report.json ]] && command -v jq >/dev/null; then
    echo
    echo "pgward stages (last round's run report): $(jq -r '[.stages[] | "\(.name) \(.seconds * 10 | round / 10) s"] | join(", ")' "$dir/c-report.json" 2>/dev/null || echo "unreadable report")"
fi
