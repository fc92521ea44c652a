#!/usr/bin/env bash
# Regenerates the README's generated tables (tests/readme.rs fails when one is stale): the rule
# table from rules/*.toml and the transformer table from the transformer registry.
set -euo pipefail
cd "$(dirname "$0")/.."
rules=$(cargo run -q -- rules --format markdown)
transformers=$(cargo run -q -- transformers)
python3 - "$rules" "$transformers" <<'PY'
import sys, re
text = open("README.md").read()
for name, table in (("rules", sys.argv[1]), ("transformers", sys.argv[2])):
    text = re.sub(r"<!-- %s:begin -->.*?<!-- %s:end -->" % (name, name),
                  lambda _: "<!-- %s:begin -->\n%s\n<!-- %s:end -->" % (name, table.strip(), name),
                  text, flags=re.S)
open("README.md", "w").write(text)
PY
