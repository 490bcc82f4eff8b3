#!/bin/bash
# `unentropy verify` and `unentropy init` end to end (cli.md "verify",
# "init", §1-2): exact stdout/stderr texts and exit codes for valid, invalid
# and missing configs, warnings, parser/template checks; init detection per
# project type, --type/--storage/--force/--dry-run, and the written file.
. "$SRC/tests/cli/lib.sh"

# run DIR ARGS...: runs the binary in DIR; sets RC, OUT, ERR (stdout/stderr
# kept in $TMP/out and $TMP/err with their trailing newlines).
run() {
    local dir=$1
    shift
    (cd "$dir" && env -u GITHUB_ACTIONS "$U" "$@" >"$TMP/out" 2>"$TMP/err")
    RC=$?
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
}

echo 'io.write(require("unentropy.sys").docs_url)' >"$TMP/docs.lua"
DOCS=$("$U" run "$TMP/docs.lua")

#---------------------------------------------------------------------------
# verify

V=$TMP/verify
mkdir -p "$V"
cat >"$V/unentropy.json" <<'EOF'
{
  "metrics": {
    "loc": { "$ref": "loc", "command": "@collect loc src" },
    "warnings": { "type": "numeric", "command": "echo 3", "direction": "lower-is-better" }
  },
  "qualityGate": { "thresholds": [{ "metric": "warnings", "mode": "max", "target": 10 }] }
}
EOF

run "$V" verify
check "verify default path: exit" 0 "$RC"
check "verify default path: stdout" "✓ Configuration file unentropy.json is valid" "$OUT"
check "verify default path: stderr empty" "" "$ERR"

cp "$V/unentropy.json" "$V/other.json"
run "$V" verify other.json
check "verify explicit path: exit" 0 "$RC"
check "verify explicit path: stdout" "✓ Configuration file other.json is valid" "$OUT"

run "$V" verify nope.json
check "verify missing: exit" 1 "$RC"
check "verify missing: stdout empty" "" "$OUT"
check "verify missing: stderr" "✗ Configuration file nope.json is invalid:
  Config file not found: nope.json" "$ERR"

mkdir -p "$V/empty"
run "$V/empty" verify
check "verify missing default: stderr" "✗ Configuration file unentropy.json is invalid:
  Config file not found: unentropy.json" "$ERR"

cat >"$V/bad.json" <<'EOF'
{
  "report": { "theme": "neon", "sections": [] },
  "metrics": {
    "Bad Key": { "type": "numeric", "command": "x" },
    "cov": { "$ref": "coverage" },
    "t": { "type": "numeric", "command": "", "timeout": 0, "extra": 1 }
  },
  "storage": { "type": "postgresql", "s3": { "secretAccessKey": "x" } },
  "qualityGate": { "thresholds": [{ "metric": "nope", "mode": "min" }] },
  "sources": [""]
}
EOF
run "$V" verify bad.json
check "verify invalid: exit" 1 "$RC"
check "verify invalid: stdout empty" "" "$OUT"
check "verify invalid: every violation in document order" "✗ Configuration file bad.json is invalid:
  report.theme: theme must be one of: lattice, flux, halftone, specimen
  report.sections: report.sections cannot be empty
  metrics[\"Bad Key\"]: metric key must be lowercase with hyphens only (pattern: ^[a-z0-9-]+$)
  metrics.cov.command: Metric \"cov\" requires a command. Template 'coverage' has no default command; add a \"command\" field.
  metrics.t.command: command cannot be empty
  metrics.t.timeout: timeout must be a positive integer (milliseconds)
  metrics.t.extra: unrecognized key
  storage.type: must be one of 'sqlite-local', 'sqlite-artifact', 'sqlite-s3', or 'postgres'
  storage.s3.secretAccessKey: unrecognized key (credentials are read only from AWS_* environment variables)
  qualityGate.thresholds[0].metric: Threshold references non-existent metric \"nope\". Available metrics: Bad Key, cov, t
  qualityGate.thresholds[0].target: target is required when mode is 'min' or 'max'
  sources[0]: sources pattern cannot be empty" "$ERR"

printf '{\n  "metrics": {\n    "a": 1,\n  }\n}\n' >"$V/syntax.json"
run "$V" verify syntax.json
check "verify invalid JSON: exit" 1 "$RC"
check_contains "verify invalid JSON: header" "✗ Configuration file syntax.json is invalid:
  (root): Invalid JSON: " "$ERR"
check_contains "verify invalid JSON: position" " at line 4, column " "$ERR"
check "verify invalid JSON: one violation" 2 "$(wc -l <"$TMP/err")"

printf '\357\273\277{"metrics": {"a": {"$ref": "size"}}}' >"$V/bom.json"
run "$V" verify bom.json
check "verify BOM: valid" "0 ✓ Configuration file bom.json is valid" "$RC $OUT"

mkdir -p "$V/dir.json"
run "$V" verify dir.json
check "verify unreadable: exit" 1 "$RC"
check_contains "verify unreadable: one violation" "✗ Configuration file dir.json is invalid:
  (root): " "$ERR"

printf '[]' >"$V/array.json"
run "$V" verify array.json
check "verify root array" "✗ Configuration file array.json is invalid:
  (root): expected object, received array" "$ERR"

printf '{"metrics": []}' >"$V/noobj.json"
run "$V" verify noobj.json
check "verify metrics array" "✗ Configuration file noobj.json is invalid:
  metrics: Configuration must contain a 'metrics' object" "$ERR"

cat >"$V/warn.json" <<'EOF'
{
  "metrics": {
    "cov": { "$ref": "coverage", "type": "numeric", "command": "echo 80" },
    "ver": { "type": "label", "command": "git describe", "command": "echo v1" }
  },
  "qualityGate": { "thresholds": [{ "metric": "ver", "mode": "no-regression" }] },
  "report": { "sections": [{ "name": "All", "charts": [{ "metrics": ["cov", "gone"] }] }] }
}
EOF
run "$V" verify warn.json
check "verify warnings: exit" 0 "$RC"
check "verify warnings: stdout" "✓ Configuration file warn.json is valid" "$OUT"
check "verify warnings: stderr" "warning: metrics.cov.type: type is ignored because \$ref 'coverage' defines it
warning: metrics.ver.command: duplicate key
warning: qualityGate.thresholds[0].metric: threshold on label metric \"ver\" is ignored
warning: report.sections[0].charts[0].metrics[1]: unknown metric \"gone\" (ignored)" "$ERR"

mkdir -p "$V/files/tools"
echo 'return { parse = true }' >"$V/files/tools/table.lua"
echo 'return function(stdout) return tonumber(stdout) end' >"$V/files/tools/ok.lua"
echo 'return function(view, h' >"$V/files/tools/broken.lua"
cat >"$V/files/unentropy.json" <<'EOF'
{
  "metrics": {
    "good": { "type": "numeric", "command": "echo 1", "parser": "tools/ok.lua" },
    "bad": { "type": "numeric", "command": "echo 1", "parser": "tools/table.lua" }
  },
  "report": { "template": "tools/broken.lua" },
  "qualityGate": { "commentTemplate": "tools/table.lua" }
}
EOF
run "$V/files" verify
check "verify parser/template: exit" 1 "$RC"
check "verify parser/template: header and parser line" "✗ Configuration file unentropy.json is invalid:
  metrics.bad.parser: parser must return a function" "$(sed -n 1,2p "$TMP/err")"
check_contains "verify parser/template: template syntax" "  report.template: $V/files/tools/broken.lua:2:" "$(sed -n 3p "$TMP/err")"
check "verify parser/template: comment template" "  qualityGate.commentTemplate: template must return a function" "$(sed -n 4p "$TMP/err")"

cat >"$V/files/missing.json" <<'EOF'
{ "metrics": { "a": { "$ref": "loc", "parser": "tools/none.lua" } } }
EOF
run "$V/files" verify missing.json
check "verify parser not found" "✗ Configuration file missing.json is invalid:
  metrics.a.parser: file not found: $V/files/tools/none.lua" "$ERR"

run "$V" verify a.json b.json
check "verify two args: exit" 1 "$RC"
check "verify two args: text" "Error: Unknown argument: b.json
Run 'unentropy verify --help' for usage." "$ERR"

run "$V" verify --help
check "verify --help: exit" 0 "$RC"
check_contains "verify --help: usage" "Usage: unentropy verify [config]" "$OUT"

# The shared config blocks of cli.md §2 (config.load_or_report).
cat >"$TMP/report.lua" <<'EOF'
local config = require("unentropy.config")
local cfg, rc = config.load_or_report(...)
if cfg then io.write(#cfg.metrics, " metrics\n") end
return rc or 0
EOF
run "$V" run "$TMP/report.lua" nope.json
check "load_or_report missing" "1 Error: Config file not found: nope.json
Run 'unentropy init' to create one." "$RC $ERR"
printf '{"metrics": {"a": {"type": "gauge", "command": "x"}}, "x": 1}' >"$V/inv.json"
run "$V" run "$TMP/report.lua" inv.json
check "load_or_report invalid" "1 Error: Config invalid: inv.json
  metrics.a.type: type must be either 'numeric' or 'label'
  x: unrecognized key" "$RC $ERR"
run "$V" run "$TMP/report.lua" unentropy.json
check "load_or_report valid" "0 2 metrics" "$RC $OUT"

# The repository's own config and the examples are valid.
run "$SRC" verify unentropy.json
check "verify repo config" "0 ✓ Configuration file unentropy.json is valid" "$RC $OUT$ERR"
for f in "$SRC"/config/examples/*.json; do
    run "$SRC" verify "$f"
    check "verify example $(basename "$f")" "0 ✓ Configuration file $f is valid" "$RC $OUT$ERR"
done

#---------------------------------------------------------------------------
# init

SETUP_JS="      - uses: actions/setup-node@v4
        with:
          node-version: '20'"

JS=$TMP/js
mkdir -p "$JS"
touch "$JS/yarn.lock" "$JS/package.json" "$JS/go.mod"
run "$JS" init --dry-run
check "init js dry-run: exit" 0 "$RC"
check "init js dry-run: stderr empty" "" "$ERR"
cat >"$TMP/expected" <<EOF
Detected project type: javascript (found: package.json, yarn.lock)

Would create unentropy.json:

{
  "metrics": {
    "lines-of-code": {
      "\$ref": "loc",
      "name": "Lines of Code",
      "command": "@collect loc ./src --language TypeScript"
    },
    "test-coverage": {
      "\$ref": "coverage",
      "name": "Test Coverage",
      "command": "@collect coverage-lcov coverage/lcov.info"
    },
    "bundle": {
      "\$ref": "size",
      "name": "Bundle Size",
      "command": "@collect size dist"
    }
  },
  "storage": {
    "type": "sqlite-artifact"
  },
  "qualityGate": {
    "mode": "soft",
    "thresholds": [
      {
        "metric": "test-coverage",
        "mode": "min",
        "target": 80,
        "severity": "warning"
      }
    ]
  }
}

Next steps:
  1. Preview the report: unentropy preview
  2. Run your tests with coverage: npm test -- --coverage
  3. Check metric collection: unentropy test
  4. Add the workflows below to .github/workflows/

────────────────────────────────────────────────────────────
TRACK METRICS (add to your CI for main branch)
────────────────────────────────────────────────────────────

name: Metrics
on:
  push:
    branches: [main]

permissions:
  contents: read
  actions: read
  pull-requests: write

jobs:
  metrics:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
$SETUP_JS
      - run: npm ci
      - run: npm test -- --coverage
      - uses: unentropy/track-metrics@v1
        with:
          storage-type: sqlite-artifact

Documentation: $DOCS

────────────────────────────────────────────────────────────
QUALITY GATE (add to your CI for pull requests)
────────────────────────────────────────────────────────────

name: CI
on:
  pull_request:

permissions:
  contents: read
  actions: read
  pull-requests: write

jobs:
  ci:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
$SETUP_JS
      - run: npm ci
      - run: npm test -- --coverage
      - uses: unentropy/quality-gate@v1
        with:
          storage-type: sqlite-artifact
          quality-gate-mode: soft
          enable-pr-comment: true

Documentation: $DOCS

EOF
if cmp -s "$TMP/expected" "$TMP/out"; then ok "init js dry-run: exact stdout"; else
    bad "init js dry-run: exact stdout" "$(diff "$TMP/expected" "$TMP/out")"; fi
check "init dry-run writes nothing" "no" "$([ -e "$JS/unentropy.json" ] && echo yes || echo no)"

# The written file is the dry-run JSON plus a newline, and it verifies.
sed -n '/^{$/,/^}$/p' "$TMP/out" >"$TMP/dry.json"
run "$JS" init
check "init js: exit" 0 "$RC"
check "init js: created lines" "Detected project type: javascript (found: package.json, yarn.lock)

✓ Created unentropy.json with 3 metrics:
  - lines-of-code (Lines of Code)
  - test-coverage (Test Coverage)
  - bundle (Bundle Size)

Next steps:" "$(sed -n 1,8p "$TMP/out")"
if cmp -s "$TMP/dry.json" "$JS/unentropy.json"; then ok "init js: file equals the dry-run JSON"; else
    bad "init js: file equals the dry-run JSON" "$(diff "$TMP/dry.json" "$JS/unentropy.json")"; fi
check "init js: trailing newline" "}" "$(tail -c 2 "$JS/unentropy.json" | head -c 1)"
run "$JS" verify
check "init js: the file verifies" "0 ✓ Configuration file unentropy.json is valid" "$RC $OUT$ERR"

run "$JS" init
check "init exists: exit" 1 "$RC"
check "init exists: text" "Error: unentropy.json already exists. Use --force to overwrite." "$ERR"
check "init exists: stdout empty" "" "$OUT"
run "$JS" init --dry-run
check "init exists + dry-run: exit" 0 "$RC"
echo '{}' >"$JS/unentropy.json"
run "$JS" init -f -s local
check "init --force: exit" 0 "$RC"
check "init --force: overwritten" '"type": "sqlite-local"' "$(grep -o '"type": "sqlite-local"' "$JS/unentropy.json")"
check_contains "init --storage local: workflow" "          storage-type: sqlite-local" "$OUT"

GO=$TMP/go
mkdir -p "$GO"
touch "$GO/go.sum" "$GO/go.mod"
run "$GO" init --dry-run
check "init go: detected" "Detected project type: go (found: go.mod, go.sum)" "$(sed -n 1p "$TMP/out")"
check_contains "init go: coverage" '"command": "@collect coverage-go coverage.out"' "$OUT"
check_contains "init go: binary size" '"binary-size": {
      "$ref": "size",
      "name": "Binary Size",
      "command": "@collect size ./bin"' "$OUT"
check_contains "init go: loc" '"command": "@collect loc . --language Go"' "$OUT"
check_contains "init go: setup" "      - uses: actions/setup-go@v5
        with:
          go-version: '1.21'
      - run: go mod download
      - run: go test -coverprofile=coverage.out ./..." "$OUT"
check_contains "init go: next step" "  2. Run your tests with coverage: go test -coverprofile=coverage.out ./..." "$OUT"

PHP=$TMP/php
mkdir -p "$PHP/sub"
touch "$PHP/composer.lock" "$PHP/sub/package.json"
run "$PHP" init --dry-run
check "init php: detected (subdirectories ignored)" "Detected project type: php (found: composer.lock)" "$(sed -n 1p "$TMP/out")"
check_contains "init php: clover" '"command": "@collect coverage-clover coverage.xml"' "$OUT"
check_contains "init php: loc" '"command": "@collect loc ./src --language PHP"' "$OUT"
check_contains "init php: setup" "      - uses: shivammathur/setup-php@v2
        with:
          php-version: '8.2'
      - run: composer install
      - run: vendor/bin/phpunit --coverage-clover coverage.xml" "$OUT"
check "init php: two metrics" 2 "$(grep -c '"\$ref"' "$TMP/out")"

PY=$TMP/py
mkdir -p "$PY"
touch "$PY/setup.cfg" "$PY/requirements.txt" "$PY/pyproject.toml"
run "$PY" init --dry-run
check "init python: detected" "Detected project type: python (found: pyproject.toml, requirements.txt, setup.cfg)" "$(sed -n 1p "$TMP/out")"
check_contains "init python: lcov" '"command": "@collect coverage-lcov coverage.lcov"' "$OUT"
check_contains "init python: setup" "      - uses: actions/setup-python@v5
        with:
          python-version: '3.11'
      - run: pip install -r requirements.txt
      - run: pytest --cov=src --cov-report=lcov:coverage.lcov" "$OUT"
rm "$PY/requirements.txt"
run "$PY" init --dry-run
check_contains "init python without requirements.txt" "      - run: pip install -e ." "$OUT"

NONE=$TMP/none
mkdir -p "$NONE"
run "$NONE" init
check "init undetected: exit" 1 "$RC"
check "init undetected: text" "Error: Could not detect project type.
Use --type to specify: javascript, php, go, or python" "$ERR"
check "init undetected: stdout empty" "" "$OUT"

run "$NONE" init --type python --dry-run
check "init --type: exit" 0 "$RC"
check "init --type: heading" "Using forced project type: python

Would create unentropy.json:" "$(sed -n 1,3p "$TMP/out")"
run "$NONE" init -t ruby
check "init bad --type: exit" 1 "$RC"
check "init bad --type: text" 'Error: Invalid project type "ruby".
Valid types: javascript, php, go, python' "$ERR"
run "$JS" init --dry-run --storage ftp
check "init bad --storage: exit" 1 "$RC"
check "init bad --storage: text" 'Error: Invalid storage type "ftp".
Valid types: artifact, s3, local' "$ERR"

run "$NONE" init --type go --storage s3 --dry-run
check_contains "init s3: config" '"storage": {
    "type": "sqlite-s3"
  }' "$OUT"
check_contains "init s3: secrets block" "────────────────────────────────────────────────────────────
S3 SECRETS REQUIRED
────────────────────────────────────────────────────────────

Add these secrets to your repository Settings > Secrets:
  - AWS_ENDPOINT_URL
  - AWS_BUCKET_NAME
  - AWS_REGION
  - AWS_ACCESS_KEY_ID
  - AWS_SECRET_ACCESS_KEY

Then update the workflow steps to include:
  s3-endpoint: \${{ secrets.AWS_ENDPOINT_URL }}
  s3-bucket: \${{ secrets.AWS_BUCKET_NAME }}
  s3-region: \${{ secrets.AWS_REGION }}
  s3-access-key-id: \${{ secrets.AWS_ACCESS_KEY_ID }}
  s3-secret-access-key: \${{ secrets.AWS_SECRET_ACCESS_KEY }}" "$OUT"
run "$JS" init --dry-run
check "init without s3: no secrets block" 0 "$(grep -c 'S3 SECRETS' "$TMP/out")"

# A write failure (the target is a directory, so even root cannot replace it).
WF=$TMP/wf
mkdir -p "$WF/unentropy.json"
touch "$WF/go.mod"
run "$WF" init --force
check "init write failure: exit" 1 "$RC"
check "init write failure: first line" "✗ Failed to initialize configuration:" "$(sed -n 1p "$TMP/err")"
check_contains "init write failure: message" "unentropy.json" "$(sed -n 2p "$TMP/err")"
check "init write failure: two lines" 2 "$(wc -l <"$TMP/err")"

finish
