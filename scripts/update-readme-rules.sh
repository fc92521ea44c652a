#!/usr/bin/env bash
# Regenerates the README's rule table from rules/*.toml (tests/readme.rs fails when it is stale).
set -euo pipefail
cd "$(dirname "$0")/.."
table=$(cargo run -q -- rules --format markdown)
python3 - "$table" <<'PY'
import sys, re
table = sys.argv[1]
text = open("README.md").read()
text = re.sub(r"<!-- rules:begin -->.*?<!-- rules:end -->",
              "<!-- rules:begin -->\n" + table.strip() + "\n<!-- rules:end -->", text, flags=re.S)
open("README.md", "w").write(text)
PY
