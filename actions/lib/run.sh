#!/usr/bin/env bash
# run.sh: the "run" step of the composite actions (github-action.md §1-4).
# Maps the action inputs, passed as INPUT_<NAME> environment variables
# (upper case, "-" -> "_"), to `unentropy collect` / `unentropy gate` flags:
# an empty input adds no flag, and secrets go only into environment
# variables (AWS_*, GITHUB_TOKEN), never into flags. Runs from
# $GITHUB_WORKSPACE; the exit code is the command's.
#   actions/lib/run.sh collect|gate
# UNENTROPY_BIN overrides the binary (default: unentropy from PATH).
set -u

cmd=${1:-}
case "$cmd" in
    collect|gate) ;;
    *) echo "usage: run.sh collect|gate" >&2; exit 2 ;;
esac

args=()
# flag NAME VALUE: adds "--NAME VALUE" unless VALUE is empty.
flag() { if [ -n "$2" ]; then args+=("--$1" "$2"); fi; }
lower() { printf '%s' "$1" | tr '[:upper:]' '[:lower:]'; }

# --- shared inputs ----------------------------------------------------------
flag config "${INPUT_CONFIG_FILE:-}"
flag storage-type "${INPUT_STORAGE_TYPE:-}"
flag db "${INPUT_DATABASE_KEY:-}"
flag s3-key "${INPUT_DATABASE_KEY:-}"
flag s3-endpoint "${INPUT_S3_ENDPOINT:-}"
flag s3-bucket "${INPUT_S3_BUCKET:-}"
flag s3-region "${INPUT_S3_REGION:-}"
flag artifact-name "${INPUT_ARTIFACT_NAME:-}"
[ "$(lower "${INPUT_VERBOSE:-false}")" = true ] && args+=(--verbose)

# Secrets: environment only (an empty input keeps what the job already set).
[ -n "${INPUT_S3_ACCESS_KEY_ID:-}" ] && export AWS_ACCESS_KEY_ID="$INPUT_S3_ACCESS_KEY_ID"
[ -n "${INPUT_S3_SECRET_ACCESS_KEY:-}" ] && export AWS_SECRET_ACCESS_KEY="$INPUT_S3_SECRET_ACCESS_KEY"
[ -n "${INPUT_S3_SESSION_TOKEN:-}" ] && export AWS_SESSION_TOKEN="$INPUT_S3_SESSION_TOKEN"
[ -n "${INPUT_GITHUB_TOKEN:-}" ] && export GITHUB_TOKEN="$INPUT_GITHUB_TOKEN"
[ -n "${INPUT_RETRY_ATTEMPTS:-}" ] && export UNENTROPY_HTTP_RETRIES="$INPUT_RETRY_ATTEMPTS"
unset INPUT_S3_ACCESS_KEY_ID INPUT_S3_SECRET_ACCESS_KEY INPUT_S3_SESSION_TOKEN INPUT_GITHUB_TOKEN

# --- per command ------------------------------------------------------------
if [ "$cmd" = collect ]; then
    flag artifact-branch "${INPUT_ARTIFACT_BRANCH_FILTER:-}"
    flag report-dir "${INPUT_REPORT_DIR:-}"
    [ "$(lower "${INPUT_GENERATE_REPORT:-true}")" = false ] && args+=(--no-report)
    if [ -n "${INPUT_TIMEOUT:-}" ]; then
        echo "::warning::The 'timeout' input is deprecated and ignored; set 'timeout' per metric in the config."
    fi
else
    flag mode "${INPUT_QUALITY_GATE_MODE:-}"
    case "$(lower "${INPUT_ENABLE_PR_COMMENT:-}")" in
        true) args+=(--comment) ;;
        false) args+=(--no-comment) ;;
        "") ;;
        *) echo "::error::enable-pr-comment must be 'true' or 'false', got: ${INPUT_ENABLE_PR_COMMENT}"; exit 1 ;;
    esac
    flag comment-marker "${INPUT_PR_COMMENT_MARKER:-}"
    flag max-comment-metrics "${INPUT_MAX_PR_COMMENT_METRICS:-}"
    flag reference-branch "${INPUT_REFERENCE_BRANCH:-}"
    flag output-file "${INPUT_OUTPUT_FILE:-}"
fi

if [ -n "${GITHUB_WORKSPACE:-}" ]; then
    cd "$GITHUB_WORKSPACE" || exit 1
fi
exec "${UNENTROPY_BIN:-unentropy}" "$cmd" ${args[@]+"${args[@]}"}
