-- unentropy.project_init: the logic behind `unentropy init` (cli.md "init"):
-- project type detection from marker files, the starter unentropy.json, and
-- the next-steps and workflow texts. Pure: file probes are passed in and
-- texts are returned; lua/commands/init.lua does the IO.
-- Depends on unentropy.json (ordered objects, pretty encoding).
local json = require("unentropy.json")

local M = {}

M.TYPES = { "javascript", "php", "go", "python" }

-- Marker files per type, in detection priority and listing order.
M.MARKERS = {
  javascript = { "package.json", "tsconfig.json", "bun.lockb", "pnpm-lock.yaml", "yarn.lock",
    "package-lock.json" },
  php = { "composer.json", "composer.lock" },
  go = { "go.mod", "go.sum" },
  python = { "pyproject.toml", "setup.py", "requirements.txt", "Pipfile", "setup.cfg" },
}

M.STORAGE_TYPES = { "artifact", "s3", "local" }
M.STORAGE = { artifact = "sqlite-artifact", s3 = "sqlite-s3", ["local"] = "sqlite-local" }

-- Starter metrics per type: {key, $ref, name, command}.
local METRICS = {
  javascript = {
    { "lines-of-code", "loc", "Lines of Code", "@collect loc ./src --language TypeScript" },
    { "test-coverage", "coverage", "Test Coverage", "@collect coverage-lcov coverage/lcov.info" },
    { "bundle", "size", "Bundle Size", "@collect size dist" },
  },
  php = {
    { "lines-of-code", "loc", "Lines of Code", "@collect loc ./src --language PHP" },
    { "test-coverage", "coverage", "Test Coverage", "@collect coverage-clover coverage.xml" },
  },
  go = {
    { "lines-of-code", "loc", "Lines of Code", "@collect loc . --language Go" },
    { "test-coverage", "coverage", "Test Coverage", "@collect coverage-go coverage.out" },
    { "binary-size", "size", "Binary Size", "@collect size ./bin" },
  },
  python = {
    { "lines-of-code", "loc", "Lines of Code", "@collect loc ./src --language Python" },
    { "test-coverage", "coverage", "Test Coverage", "@collect coverage-lcov coverage.lcov" },
  },
}

-- CI steps per type: setup action, its version input, install, test.
local CI = {
  javascript = { "actions/setup-node@v4", "node-version", "20", "npm ci", "npm test -- --coverage" },
  php = { "shivammathur/setup-php@v2", "php-version", "8.2", "composer install",
    "vendor/bin/phpunit --coverage-clover coverage.xml" },
  go = { "actions/setup-go@v5", "go-version", "1.21", "go mod download",
    "go test -coverprofile=coverage.out ./..." },
  python = { "actions/setup-python@v5", "python-version", "3.11", "pip install -r requirements.txt",
    "pytest --cov=src --cov-report=lcov:coverage.lcov" },
}

local RULE = string.rep("─", 60)

function M.is_type(t)
  return M.MARKERS[t] ~= nil
end

function M.is_storage(s)
  return M.STORAGE[s] ~= nil
end

-- Detects the project type from marker files directly in a directory.
-- exists(name) -> boolean probes one file name. Returns type, found markers
-- (array, listing order), or nil when nothing matches.
function M.detect(exists)
  for _, t in ipairs(M.TYPES) do
    local found = {}
    for _, name in ipairs(M.MARKERS[t]) do
      if exists(name) then found[#found + 1] = name end
    end
    if #found > 0 then return t, found end
  end
  return nil
end

-- The starter config as an ordered json object; storage is "artifact",
-- "s3" or "local".
function M.config(ptype, storage)
  local metrics = json.object()
  for _, m in ipairs(METRICS[ptype]) do
    local entry = json.object()
    entry["$ref"] = m[2]
    entry.name = m[3]
    entry.command = m[4]
    metrics[m[1]] = entry
  end
  local store = json.object()
  store.type = M.STORAGE[storage]
  local threshold = json.object()
  threshold.metric = "test-coverage"
  threshold.mode = "min"
  threshold.target = 80
  threshold.severity = "warning"
  local thresholds = json.array()
  thresholds[1] = threshold
  local gate = json.object()
  gate.mode = "soft"
  gate.thresholds = thresholds
  local cfg = json.object()
  cfg.metrics = metrics
  cfg.storage = store
  cfg.qualityGate = gate
  return cfg
end

-- The file content: 2-space indentation and a trailing newline.
function M.config_text(ptype, storage)
  return json.encode(M.config(ptype, storage), { pretty = true }) .. "\n"
end

-- "  - <key> (<name>)" lines of the starter metrics.
function M.metric_lines(ptype)
  local out = {}
  for _, m in ipairs(METRICS[ptype]) do out[#out + 1] = "  - " .. m[1] .. " (" .. m[3] .. ")" end
  return out
end

function M.metric_count(ptype)
  return #METRICS[ptype]
end

function M.test_command(ptype)
  return CI[ptype][5]
end

-- One workflow (kind "metrics" or "gate") as YAML followed by the docs
-- line. has_requirements: python installs from requirements.txt when it
-- exists, else the package itself.
function M.workflow(kind, ptype, storage, docs_url, has_requirements)
  local ci = CI[ptype]
  local install = ci[4]
  if ptype == "python" and not has_requirements then install = "pip install -e ." end
  local name = kind == "metrics" and "Metrics" or "CI"
  local lines = { "name: " .. name, "on:" }
  if kind == "metrics" then
    lines[#lines + 1] = "  push:"
    lines[#lines + 1] = "    branches: [main]"
  else
    lines[#lines + 1] = "  pull_request:"
  end
  for _, l in ipairs({
    "", "permissions:", "  contents: read", "  actions: read", "  pull-requests: write",
    "", "jobs:", "  " .. name:lower() .. ":", "    runs-on: ubuntu-latest", "    steps:",
    "      - uses: actions/checkout@v4",
    "      - uses: " .. ci[1], "        with:", "          " .. ci[2] .. ": '" .. ci[3] .. "'",
    "      - run: " .. install,
    "      - run: " .. ci[5],
  }) do
    lines[#lines + 1] = l
  end
  if kind == "metrics" then
    lines[#lines + 1] = "      - uses: unentropy/track-metrics@v1"
    lines[#lines + 1] = "        with:"
    lines[#lines + 1] = "          storage-type: " .. M.STORAGE[storage]
  else
    lines[#lines + 1] = "      - uses: unentropy/quality-gate@v1"
    lines[#lines + 1] = "        with:"
    lines[#lines + 1] = "          storage-type: " .. M.STORAGE[storage]
    lines[#lines + 1] = "          quality-gate-mode: soft"
    lines[#lines + 1] = "          enable-pr-comment: true"
  end
  lines[#lines + 1] = ""
  lines[#lines + 1] = "Documentation: " .. docs_url
  return table.concat(lines, "\n")
end

local S3_SECRETS = [[
Add these secrets to your repository Settings > Secrets:
  - AWS_ENDPOINT_URL
  - AWS_BUCKET_NAME
  - AWS_REGION
  - AWS_ACCESS_KEY_ID
  - AWS_SECRET_ACCESS_KEY

Then update the workflow steps to include:
  s3-endpoint: ${{ secrets.AWS_ENDPOINT_URL }}
  s3-bucket: ${{ secrets.AWS_BUCKET_NAME }}
  s3-region: ${{ secrets.AWS_REGION }}
  s3-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
  s3-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}]]

local function block(out, heading, body)
  out[#out + 1] = RULE
  out[#out + 1] = heading
  out[#out + 1] = RULE
  out[#out + 1] = ""
  out[#out + 1] = body
  out[#out + 1] = ""
end

-- Everything init prints after the config part: next steps, the two
-- workflows and (storage "s3") the secrets block. Returns the text, ending
-- in a newline.
function M.guide(ptype, storage, docs_url, has_requirements)
  local out = {
    "Next steps:",
    "  1. Preview the report: unentropy preview",
    "  2. Run your tests with coverage: " .. M.test_command(ptype),
    "  3. Check metric collection: unentropy test",
    "  4. Add the workflows below to .github/workflows/",
    "",
  }
  block(out, "TRACK METRICS (add to your CI for main branch)",
    M.workflow("metrics", ptype, storage, docs_url, has_requirements))
  block(out, "QUALITY GATE (add to your CI for pull requests)",
    M.workflow("gate", ptype, storage, docs_url, has_requirements))
  if storage == "s3" then block(out, "S3 SECRETS REQUIRED", S3_SECRETS) end
  return table.concat(out, "\n") .. "\n"
end

return M
