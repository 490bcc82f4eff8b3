#!/usr/bin/env bash
# install.sh: the "install" step of the composite actions (github-action.md
# §1). Puts an `unentropy` binary on PATH (via $GITHUB_PATH):
#   1. the release binary for the runner (Linux x64/arm64, macOS arm64) of
#      the requested version (the `unentropy-version` input, else the ref the
#      action was used at when it is a version tag), verified against the
#      release's SHA256SUMS;
#   2. otherwise (an unreleased ref, or no such release) a build from the
#      source next to the action with CMake (Debian/Ubuntu dependencies via
#      scripts/install-deps).
# Inputs come as environment variables: UNENTROPY_VERSION, ACTION_REF,
# ACTION_PATH; UNENTROPY_RELEASE_REPO (default unentropy/unentropy) and
# UNENTROPY_RELEASE_BASE_URL (default https://github.com/<repo>/releases/download,
# overridden by the tests).
set -euo pipefail

repo=${UNENTROPY_RELEASE_REPO:-unentropy/unentropy}
root=$(cd "${ACTION_PATH:?}/../.." && pwd)
dest=${RUNNER_TEMP:-/tmp}/unentropy-bin
mkdir -p "$dest"

version=${UNENTROPY_VERSION:-}
if [ -z "$version" ] && [[ "${ACTION_REF:-}" =~ ^v[0-9]+(\.[0-9]+){0,2}$ ]]; then
    version=$ACTION_REF
fi

asset=""
case "${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}" in
    Linux/X64|Linux/x86_64) asset=unentropy-linux-x64 ;;
    Linux/ARM64|Linux/aarch64) asset=unentropy-linux-arm64 ;;
    macOS/ARM64|Darwin/arm64) asset=unentropy-macos-arm64 ;;
esac

sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }

download() {
    local base="${UNENTROPY_RELEASE_BASE_URL:-https://github.com/$repo/releases/download}/$version"
    local tmp
    tmp=$(mktemp -d)
    if ! curl -fsSL --retry 3 -o "$tmp/$asset" "$base/$asset" ||
        ! curl -fsSL --retry 3 -o "$tmp/SHA256SUMS" "$base/SHA256SUMS"; then
        rm -rf "$tmp"
        echo "No release $version/$asset found"
        return 1
    fi
    if ! (cd "$tmp" && grep -E "[ *]$asset\$" SHA256SUMS | sha256 -c - >/dev/null); then
        echo "::error::unentropy $version: $asset does not match the release's SHA256SUMS"
        exit 1
    fi
    install -m 0755 "$tmp/$asset" "$dest/unentropy"
    rm -rf "$tmp"
}

if [ -n "$version" ] && [ -n "$asset" ] && download; then
    echo "Installed unentropy $version ($asset)"
else
    if [ ! -f "$root/CMakeLists.txt" ]; then
        echo "::error::No unentropy release for '${version:-this ref}' on this runner and no source to build" \
             "next to the action; set the unentropy-version input"
        exit 1
    fi
    echo "Building unentropy from source (${ACTION_REF:-unreleased ref})"
    if [ "$(uname -s)" = Linux ]; then
        "$root/scripts/install-deps"
    fi
    build=${RUNNER_TEMP:-/tmp}/unentropy-build
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" --target unentropy -j "$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)" >/dev/null
    install -m 0755 "$build/unentropy" "$dest/unentropy"
fi
if [ -n "${GITHUB_PATH:-}" ]; then
    echo "$dest" >> "$GITHUB_PATH"
fi
"$dest/unentropy" --version
