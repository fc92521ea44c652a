# shellcheck shell=bash
# Sourced by bench-sync.sh and bench-sync-dump.sh: which PostgreSQL binaries both use, and how the
# server is started. Needs the scripts' die. Sets $bindir and defines as_server.

# All from the directory holding initdb, so client and server versions match.
if [[ -n ${PG_BINDIR:-} ]]; then
    bindir=$PG_BINDIR
elif command -v initdb >/dev/null; then
    bindir=$(dirname "$(readlink -f "$(command -v initdb)")")
else
    bindir=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
fi
for b in initdb pg_ctl postgres psql pg_dump pg_restore createdb; do
    [[ -x $bindir/$b ]] || die "cannot find PostgreSQL's $b (looked in '${bindir:-nothing}'): install PostgreSQL or set PG_BINDIR"
done

# As root the server runs as `postgres`; clients connect as the `postgres` role either way.
if [[ $(id -u) == 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root but there is no postgres user to run the server as"
    as_server() { runuser -u postgres -- "$@"; }
else
    as_server() { "$@"; }
fi
