-- unentropy.options: the option groups shared by commands (cli.md §2):
-- config, build context and storage. Each group is a list of cli.parse
-- option specs; options.build(...) concatenates groups and extra options.
local M = {}

M.config = {
  { "config", short = "c", type = "string", arg = "path", default = "unentropy.json",
    help = "config file" },
}

M.context = {
  { "commit", type = "string", arg = "sha", help = "commit SHA (else UNENTROPY_COMMIT_SHA, CI or git)" },
  { "branch", type = "string", help = "branch name (else UNENTROPY_BRANCH, CI or git)" },
  { "run-id", type = "string", arg = "id", help = "CI run id (else UNENTROPY_RUN_ID; local-<ms> locally)" },
  { "run-number", type = "string", arg = "n", help = "CI run number (else UNENTROPY_RUN_NUMBER)" },
  { "event", type = "string", arg = "name", help = "event name (else UNENTROPY_EVENT_NAME)" },
  { "timestamp", type = "string", arg = "rfc3339", help = "build time (else UNENTROPY_TIMESTAMP; now)" },
}

M.storage = {
  { "storage-type", type = "string", arg = "type", choices = { "sqlite-local", "sqlite-s3", "sqlite-artifact", "postgres" },
    help = "storage provider" },
  { "db", type = "string", arg = "path", help = "local database file (or artifact working file)" },
  { "s3-endpoint", type = "string", arg = "url", help = "S3 endpoint" },
  { "s3-bucket", type = "string", arg = "name", help = "S3 bucket" },
  { "s3-region", type = "string", arg = "region", help = "S3 region" },
  { "s3-key", type = "string", arg = "key", help = "S3 object key" },
  { "artifact-name", type = "string", arg = "name", help = "GitHub artifact name" },
  { "artifact-branch", type = "string", arg = "branch", help = "branch whose artifact is used" },
}

-- options.build(group1, group2, ...) -> a fresh concatenated list.
function M.build(...)
  local out = {}
  for _, group in ipairs({ ... }) do
    for _, o in ipairs(group) do out[#out + 1] = o end
  end
  return out
end

-- The context flags of parsed opts, as context.resolve expects them.
function M.context_flags(opts)
  return { commit = opts.commit, branch = opts.branch, run_id = opts.run_id, run_number = opts.run_number,
    event = opts.event, timestamp = opts.timestamp }
end

return M
