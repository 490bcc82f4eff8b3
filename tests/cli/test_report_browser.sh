#!/bin/bash
# The HTML report in headless Chromium: runs tests/browser/report.test.mjs
# (playwright-core from tests/tools/node_modules driving /usr/bin/chromium,
# networking off). Screenshots land in <build dir>/test-artifacts/report-*.png.
# Without node, Chromium or the npm tools (scripts/install-deps --test
# installs them) the test is skipped with a message, except in CI
# (CI=true) or with UNENTROPY_REQUIRE_BROWSER=1, where that is a failure.
set -u
U=${UNENTROPY:-$SRC/build/unentropy}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
missing=""
command -v node >/dev/null 2>&1 || missing="node"
[ -x "$CHROMIUM" ] || missing="$missing $CHROMIUM"
[ -d "$SRC/tests/tools/node_modules/playwright-core" ] || missing="$missing tests/tools/node_modules/playwright-core (cd tests/tools && npm ci)"
if [ -n "$missing" ]; then
    if [ "${CI:-}" = "true" ] || [ "${UNENTROPY_REQUIRE_BROWSER:-}" = "1" ]; then
        echo "FAIL browser test prerequisites missing:$missing"
        exit 1
    fi
    echo "SKIP browser test: missing$missing"
    exit 0
fi
export UNENTROPY="$U" SRC CHROMIUM
export ARTIFACTS=${ARTIFACTS:-$(dirname "$U")/test-artifacts}
exec node "$SRC/tests/browser/report.test.mjs"
