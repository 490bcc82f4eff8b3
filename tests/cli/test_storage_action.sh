#!/bin/bash
# The composite actions actions/track-metrics and actions/quality-gate
# (github-action.md): the YAML parses (when python3 has PyYAML) and has the
# inputs, defaults and outputs of the spec wired to the run steps; the
# input -> flag mapping of actions/lib/run.sh (empty inputs add no flag,
# secrets only in the environment) checked against a stub binary, then one
# real collect through run.sh writing GITHUB_OUTPUT; and actions/lib/install.sh
# installing a "release" from a local server, verified against SHA256SUMS.
. "$SRC/tests/cli/lib.sh"

A=$SRC/actions
for f in "$A/lib/run.sh" "$A/lib/install.sh"; do
    bash -n "$f" && ok "bash -n $(basename "$f")" || bad "bash -n $(basename "$f")"
done

# --- YAML structure -------------------------------------------------------------
# Debian's python3-yaml (installed by scripts/install-deps --test) lives with /usr/bin/python3.
PY3=python3
/usr/bin/python3 -c 'import yaml' 2>/dev/null && PY3=/usr/bin/python3
if "$PY3" -c 'import yaml' 2>/dev/null; then
    yaml_out=$("$PY3" - "$A" <<'PY' 2>&1
import re, sys, yaml
root = sys.argv[1]
shared = {"config-file": "unentropy.json", "storage-type": "", "database-key": "", "s3-endpoint": "",
          "s3-bucket": "", "s3-region": "", "s3-access-key-id": "", "s3-secret-access-key": "",
          "s3-session-token": "", "artifact-name": "", "retry-attempts": "", "verbose": "false",
          "github-token": "${{ github.token }}", "unentropy-version": ""}
extra = {
    "track-metrics": {"artifact-branch-filter": "", "report-dir": "unentropy-report", "generate-report": "true",
                      "timeout": ""},
    "quality-gate": {"quality-gate-mode": "", "enable-pr-comment": "", "pr-comment-marker": "",
                     "max-pr-comment-metrics": "", "reference-branch": "",
                     "output-file": ".unentropy/quality-gate-results.json"},
}
outputs = {
    "track-metrics": ["success", "storage-type", "database-location", "database-size", "metrics-collected",
                      "metrics-failed", "total-builds", "build-id", "duration", "report-path",
                      "artifact-upload-required", "artifact-name", "artifact-path"],
    "quality-gate": ["quality-gate-status", "quality-gate-mode", "quality-gate-failing-metrics",
                     "quality-gate-comment-url", "metrics-collected", "baseline-reference-branch",
                     "baseline-builds-considered", "quality-gate-results-path", "quality-gate-results-json"],
}
problems = []
for name, step_id in (("track-metrics", "collect"), ("quality-gate", "gate")):
    doc = yaml.safe_load(open(f"{root}/{name}/action.yml"))
    want = dict(shared, **extra[name])
    got = {k: str(v.get("default", "")) for k, v in doc["inputs"].items()}
    if got != want:
        problems.append(f"{name}: inputs/defaults differ: {sorted(set(got.items()) ^ set(want.items()))}")
    for k, v in doc["outputs"].items():
        if v["value"] != "${{ steps.%s.outputs.%s }}" % (step_id, k):
            problems.append(f"{name}: output {k} -> {v['value']}")
    if list(doc["outputs"]) != outputs[name]:
        problems.append(f"{name}: outputs {list(doc['outputs'])}")
    if doc["runs"]["using"] != "composite":
        problems.append(f"{name}: not composite")
    steps = doc["runs"]["steps"]
    run = [s for s in steps if s.get("id") == step_id][0]
    if run["run"] != f'bash "$GITHUB_ACTION_PATH/../lib/run.sh" {"collect" if step_id == "collect" else "gate"}':
        problems.append(f"{name}: run line {run['run']}")
    env = run["env"]
    for k, v in env.items():
        m = re.fullmatch(r"\$\{\{ inputs\.([a-z0-9-]+) \}\}", v)
        if not m or m.group(1) not in doc["inputs"] or k != "INPUT_" + m.group(1).upper().replace("-", "_"):
            problems.append(f"{name}: env {k}={v}")
    mapped = {re.fullmatch(r"\$\{\{ inputs\.([a-z0-9-]+) \}\}", v).group(1) for v in env.values()}
    missing = set(doc["inputs"]) - mapped - {"unentropy-version"}
    if missing:
        problems.append(f"{name}: inputs not passed to run.sh: {sorted(missing)}")
    if "${{" in run["run"]:
        problems.append(f"{name}: expression in run (injection)")
    if name == "track-metrics":
        up = steps[-1]
        if up.get("uses") != "actions/upload-artifact@v4" or \
           up.get("if") != "steps.collect.outputs.artifact-upload-required == 'true'" or \
           up["with"] != {"name": "${{ steps.collect.outputs.artifact-name }}",
                          "path": "${{ steps.collect.outputs.artifact-path }}",
                          "overwrite": True, "if-no-files-found": "error"}:
            problems.append(f"upload step: {up}")
print("\n".join(problems) or "ok")
PY
)
    check "action.yml files parse and match github-action.md" ok "$yaml_out"
else
    echo "note: python3 without PyYAML; the action.yml structure check is skipped"
fi

# --- input -> flag mapping against a stub binary -----------------------------------
STUB=$TMP/stub
cat > "$STUB" <<'SH'
#!/bin/bash
for a in "$@"; do printf '[%s]\n' "$a"; done
echo "AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-}"
echo "AWS_SESSION_TOKEN=${AWS_SESSION_TOKEN:-} GITHUB_TOKEN=${GITHUB_TOKEN:-}"
echo "UNENTROPY_HTTP_RETRIES=${UNENTROPY_HTTP_RETRIES:-} pwd=$PWD"
env | grep -c '^INPUT_.*SECRET\|^INPUT_GITHUB_TOKEN\|^INPUT_S3_ACCESS\|^INPUT_S3_SESSION' || true
SH
chmod +x "$STUB"
WS=$TMP/ws
mkdir -p "$WS"
lines() { printf '%s\n' "$@"; }

# The defaults of track-metrics as the runner passes them (other inputs '').
out=$(env -i PATH="$PATH" UNENTROPY_BIN="$STUB" GITHUB_WORKSPACE="$WS" INPUT_CONFIG_FILE=unentropy.json \
    INPUT_VERBOSE=false INPUT_GITHUB_TOKEN=ghs_tok INPUT_REPORT_DIR=unentropy-report INPUT_GENERATE_REPORT=true \
    INPUT_STORAGE_TYPE= INPUT_DATABASE_KEY= INPUT_S3_BUCKET= INPUT_TIMEOUT= bash "$A/lib/run.sh" collect)
check "collect defaults" "$(lines '[collect]' '[--config]' '[unentropy.json]' '[--report-dir]' '[unentropy-report]' \
    'AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY=' 'AWS_SESSION_TOKEN= GITHUB_TOKEN=ghs_tok' \
    "UNENTROPY_HTTP_RETRIES= pwd=$WS" 0)" "$out"

out=$(env -i PATH="$PATH" UNENTROPY_BIN="$STUB" INPUT_CONFIG_FILE=ci/u.json INPUT_STORAGE_TYPE=sqlite-s3 \
    INPUT_DATABASE_KEY=team/m.db INPUT_S3_ENDPOINT=https://minio.example INPUT_S3_BUCKET=b INPUT_S3_REGION=eu-west-1 \
    INPUT_S3_ACCESS_KEY_ID=AKID INPUT_S3_SECRET_ACCESS_KEY='s3cr3t with space' INPUT_S3_SESSION_TOKEN=tok \
    INPUT_ARTIFACT_NAME=art INPUT_ARTIFACT_BRANCH_FILTER=main INPUT_RETRY_ATTEMPTS=5 INPUT_VERBOSE=TRUE \
    INPUT_GITHUB_TOKEN=ghs INPUT_REPORT_DIR='out dir' INPUT_GENERATE_REPORT=False INPUT_TIMEOUT=60000 \
    bash "$A/lib/run.sh" collect)
check "collect with every input" "$(lines '::warning::The '"'"'timeout'"'"' input is deprecated and ignored; set '"'"'timeout'"'"' per metric in the config.' \
    '[collect]' '[--config]' '[ci/u.json]' '[--storage-type]' '[sqlite-s3]' '[--db]' '[team/m.db]' '[--s3-key]' \
    '[team/m.db]' '[--s3-endpoint]' '[https://minio.example]' '[--s3-bucket]' '[b]' '[--s3-region]' '[eu-west-1]' \
    '[--artifact-name]' '[art]' '[--verbose]' '[--artifact-branch]' '[main]' '[--report-dir]' '[out dir]' \
    '[--no-report]' 'AWS_ACCESS_KEY_ID=AKID AWS_SECRET_ACCESS_KEY=s3cr3t with space' \
    'AWS_SESSION_TOKEN=tok GITHUB_TOKEN=ghs' "UNENTROPY_HTTP_RETRIES=5 pwd=$PWD" 0)" "$out"
case "$(grep '^\[' <<< "$out")" in
    *AKID*|*s3cr3t*|*tok\]*|*ghs*) bad "secrets never in argv" "$out" ;;
    *) ok "secrets never in argv" ;;
esac

# Empty secret inputs keep what the job already exported.
out=$(env -i PATH="$PATH" UNENTROPY_BIN="$STUB" AWS_ACCESS_KEY_ID=from-job AWS_SECRET_ACCESS_KEY=job-secret \
    INPUT_S3_ACCESS_KEY_ID= INPUT_S3_SECRET_ACCESS_KEY= bash "$A/lib/run.sh" collect)
check_contains "empty secret inputs keep the job's variables" \
    "AWS_ACCESS_KEY_ID=from-job AWS_SECRET_ACCESS_KEY=job-secret" "$out"

out=$(env -i PATH="$PATH" UNENTROPY_BIN="$STUB" INPUT_CONFIG_FILE=unentropy.json INPUT_QUALITY_GATE_MODE=hard \
    INPUT_ENABLE_PR_COMMENT=FALSE INPUT_PR_COMMENT_MARKER='<!-- m -->' INPUT_MAX_PR_COMMENT_METRICS=10 \
    INPUT_REFERENCE_BRANCH=develop INPUT_OUTPUT_FILE=.unentropy/quality-gate-results.json INPUT_STORAGE_TYPE=sqlite-artifact \
    bash "$A/lib/run.sh" gate | grep '^\[')
check "gate inputs" "$(lines '[gate]' '[--config]' '[unentropy.json]' '[--storage-type]' '[sqlite-artifact]' \
    '[--mode]' '[hard]' '[--no-comment]' '[--comment-marker]' '[<!-- m -->]' '[--max-comment-metrics]' '[10]' \
    '[--reference-branch]' '[develop]' '[--output-file]' '[.unentropy/quality-gate-results.json]')" "$out"
out=$(env -i PATH="$PATH" UNENTROPY_BIN="$STUB" INPUT_ENABLE_PR_COMMENT=True bash "$A/lib/run.sh" gate | grep '^\[')
check "enable-pr-comment true" "$(lines '[gate]' '[--comment]')" "$out"
out=$(env -i PATH="$PATH" UNENTROPY_BIN="$STUB" INPUT_ENABLE_PR_COMMENT=yes bash "$A/lib/run.sh" gate); rc=$?
check "enable-pr-comment must be true/false" "1 ::error::enable-pr-comment must be 'true' or 'false', got: yes" "$rc $out"
out=$(env -i PATH="$PATH" UNENTROPY_BIN="$STUB" bash "$A/lib/run.sh" gate | grep '^\[')
check "no inputs, no flags" "[gate]" "$out"
env -i PATH="$PATH" UNENTROPY_BIN=/bin/false bash "$A/lib/run.sh" collect; rc=$?
check "the exit code is the command's" 1 "$rc"

# --- one real collect through run.sh ---------------------------------------------------
R=$TMP/repo
new_repo "$R"
printf '{ "metrics": { "loc": { "type": "numeric", "command": "echo 3" } } }\n' > "$R/unentropy.json"
: > "$TMP/out"
log=$(env UNENTROPY_BIN="$U" GITHUB_WORKSPACE="$R" GITHUB_OUTPUT="$TMP/out" INPUT_CONFIG_FILE=unentropy.json \
    INPUT_DATABASE_KEY=m.db INPUT_GENERATE_REPORT=false bash "$A/lib/run.sh" collect 2>&1); rc=$?
check "real collect through run.sh exits 0" 0 "$rc"
check_contains "database-key is the local file" "database-location=storage://sqlite-local/m.db" "$(cat "$TMP/out")"
check "m.db written in the workspace" 1 "$(sqlite3 "$R/m.db" 'SELECT count(*) FROM build_contexts')"

# --- install.sh: a release from a local server, verified against SHA256SUMS ------------
REL=$TMP/rel/v9.9.9
mkdir -p "$REL"
case "$(uname -s)/$(uname -m)" in
    Linux/x86_64) asset=unentropy-linux-x64 ;;
    Linux/aarch64) asset=unentropy-linux-arm64 ;;
    *) asset="" ;;
esac
if [ -n "$asset" ] && command -v node >/dev/null; then
    cp "$U" "$REL/$asset"
    (cd "$REL" && sha256sum "$asset" > SHA256SUMS)
    node -e '
      const http = require("http"), fs = require("fs"), path = require("path");
      const root = process.argv[1];
      const s = http.createServer((q, r) => {
        const f = path.join(root, decodeURIComponent(q.url));
        fs.readFile(f, (e, d) => { if (e) { r.writeHead(404); r.end(); } else { r.writeHead(200); r.end(d); } });
      }).listen(0, "127.0.0.1", () => console.log("port=" + s.address().port));
    ' "$TMP/rel" < /dev/null > "$TMP/http.out" &
    HTTP_PID=$!
    trap 'kill "$HTTP_PID" 2>/dev/null; rm -rf "$TMP"' EXIT
    for _ in $(seq 1 50); do grep -q port= "$TMP/http.out" && break; sleep 0.1; done
    base="http://127.0.0.1:$(sed 's/port=//' "$TMP/http.out")"
    install_run() {
        env RUNNER_TEMP="$TMP/runner" GITHUB_PATH="$TMP/ghpath" ACTION_PATH="$A/track-metrics" \
            UNENTROPY_RELEASE_BASE_URL="$base" "$@" bash "$A/lib/install.sh" 2>&1
    }
    out=$(install_run UNENTROPY_VERSION=v9.9.9); rc=$?
    check "release install exits 0" 0 "$rc"
    check_contains "release installed" "Installed unentropy v9.9.9 ($asset)" "$out"
    check "bin dir added to GITHUB_PATH" "$TMP/runner/unentropy-bin" "$(cat "$TMP/ghpath")"
    cmp -s "$U" "$TMP/runner/unentropy-bin/unentropy" && ok "the release binary is installed" || bad "the release binary is installed"
    out=$(install_run ACTION_REF=v9.9.9); rc=$?
    check_contains "the action's version tag picks the release" "Installed unentropy v9.9.9" "$out"
    echo "0000000000000000000000000000000000000000000000000000000000000000  $asset" > "$REL/SHA256SUMS"
    rm -rf "$TMP/runner"
    out=$(install_run UNENTROPY_VERSION=v9.9.9); rc=$?
    check "checksum mismatch exits 1" 1 "$rc"
    check_contains "checksum mismatch message" "::error::unentropy v9.9.9: $asset does not match the release's SHA256SUMS" "$out"
    [ ! -e "$TMP/runner/unentropy-bin/unentropy" ] && ok "nothing installed on a mismatch" || bad "nothing installed on a mismatch"
else
    echo "note: no release asset name for $(uname -s)/$(uname -m) or no node; install.sh download not tested"
fi

finish
