# Sourced by bench-sync.sh and bench-sync-dump.sh: the throwaway cluster both benchmarks measure on,
# with the same server settings, so their figures compare. Needs $dir, $bindir and the scripts'
# as_server, log and die.

export PGHOST=$dir PGPORT=5432 PGUSER=postgres
unset PGDATABASE PGPASSWORD PGSERVICE
url() { echo "postgresql://postgres@/$1?host=$dir&port=5432"; }
psql_cmd=(env "PGOPTIONS=-c client_min_messages=warning" "$bindir/psql" -X -q -v ON_ERROR_STOP=1)
psql_() { "${psql_cmd[@]}" "$@"; }
sql() { psql_ -At -d "$1" -c "$2"; }

# initdb into $dir/data and start the server on a socket in $dir; $1 labels the settings.
start_cluster() {
    log "initdb in $dir"
    as_server "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync >/dev/null
    cat >>"$dir/data/postgresql.conf" <<CONF
# $1
listen_addresses = ''
unix_socket_directories = '$dir'
port = 5432
max_connections = 50
shared_buffers = 1GB
work_mem = 64MB
maintenance_work_mem = 512MB
max_wal_size = 4GB
min_wal_size = 1GB
checkpoint_timeout = 15min
# left at their defaults, said here for the record:
fsync = on
synchronous_commit = on
full_page_writes = on
wal_level = replica
autovacuum = on
CONF
    as_server "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null ||
        { tail -n 20 "$dir/server.log" >&2; die "the server did not start"; }
}
