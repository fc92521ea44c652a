#!/usr/bin/env bash
# Benchmarks `pgward lint` against squawk on the same generated migrations.
#
# Generates STATEMENTS statements (default 20,000) of realistic migration SQL,
# as one big file and as a directory of 500 files, then times each tool in
# JSON and in pretty mode, with peak memory from /usr/bin/time. Not part of CI.
#
#   scripts/bench-lint.sh [STATEMENTS]
#
# Needs: cargo, python3, /usr/bin/time; squawk from `pip install squawk-cli`
# (skipped with a note when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

statements=${1:-20000}
work=$(mktemp -d /tmp/pgward-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
pgward=$PWD/target/release/pgward

python3 - "$work" "$statements" <<'PY'
import os, sys
work, n = sys.argv[1], int(sys.argv[2])
# A mix like real migrations: most statements fine, some hazardous.
templates = [
    "CREATE TABLE t{i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now())",
    "ALTER TABLE orders ADD COLUMN c{i} text",
    "CREATE INDEX idx_{i} ON orders (c{i})",
    "ALTER TABLE orders ADD CONSTRAINT fk_{i} FOREIGN KEY (customer_id) REFERENCES customers (id)",
    "ALTER TABLE orders ALTER COLUMN c{i} SET NOT NULL",
    "UPDATE orders SET c{i} = 'x' WHERE id < {i}",
    "INSERT INTO audit (id, note) VALUES ({i}, 'it''s; a \"note\"')",
    "CREATE OR REPLACE FUNCTION f{i}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.x := 1; RETURN NEW; END $$",
    "ALTER TABLE orders ALTER COLUMN c{i} TYPE varchar(200)",
    "COMMENT ON COLUMN orders.c{i} IS 'column {i}'",
]
def stmt(i):
    return templates[i % len(templates)].format(i=i) + ";\n"
with open(os.path.join(work, "big.sql"), "w") as f:
    for i in range(n):
        f.write(stmt(i))
os.makedirs(os.path.join(work, "many"))
per = max(1, n // 500)
for k in range(0, n, per):
    with open(os.path.join(work, "many", f"{k:06d}_m.sql"), "w") as f:
        for i in range(k, min(n, k + per)):
            f.write(stmt(i))
PY

bytes=$(wc -c < "$work/big.sql")
echo "input: $statements statements, $((bytes / 1024)) KiB; one file, and 500 files"
echo

# Runs a command, prints seconds, statements/second and peak RSS.
measure() {
    local label=$1; shift
    local out=$work/time.txt
    /usr/bin/time -f "%e %M" -o "$out" "$@" > "$work/stdout.txt" 2> "$work/stderr.txt" || true
    read -r secs kib < <(tail -n 1 "$out")
    local rate
    rate=$(python3 -c "s=float('$secs'); print(f'{${count:-$statements}/s:,.0f}' if s > 0 else 'n/a')")
    printf '%-44s %7ss %14s stmt/s %8s MiB peak\n' "$label" "$secs" "$rate" "$((kib / 1024))"
}

have_squawk=1
command -v squawk > /dev/null || { have_squawk=0; echo "squawk not found (pip install squawk-cli): skipped"; }

# squawk does not walk directories ("Failed to find files"): it gets a glob of the same files.
for input in big.sql many; do
    echo "== $input"
    squawk_input=$work/$input
    [ -d "$squawk_input" ] && squawk_input="$squawk_input/*.sql"
    measure "pgward --format json" "$pgward" lint --format json "$work/$input"
    [ $have_squawk = 1 ] && measure "squawk $(squawk --version | cut -d' ' -f2) --reporter json" squawk --reporter json "$squawk_input"
    measure "pgward (pretty)" "$pgward" lint --color never "$work/$input"
    [ $have_squawk = 1 ] && measure "squawk --reporter tty" squawk --reporter tty "$squawk_input"
    echo
done

# Pretty-mode scaling: linear for pgward, quadratic for squawk's tty reporter.
echo "== pretty output scaling (one file)"
for n in 5000 10000 20000; do
    head -n "$n" "$work/big.sql" > "$work/part.sql"
    count=$n
    measure "pgward pretty, $n statements" "$pgward" lint --color never "$work/part.sql"
    [ $have_squawk = 1 ] && measure "squawk tty, $n statements" squawk --reporter tty "$work/part.sql"
done
