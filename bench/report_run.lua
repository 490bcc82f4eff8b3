-- bench/report_run.lua: one in-process report generation for bench/report.sh.
-- Prints "<cpu ms> <wall ms> <peak rss KiB> <bytes> <stage ms...>": CPU time
-- (os.clock) and wall time of report.generate, the process's peak resident
-- set (VmHWM from /proc/self/status, whole process), the size of
-- index.html, and the wall time of the stages (read, view, render, write).
-- usage: unentropy run bench/report_run.lua CONFIG DB OUTDIR
local config = require("unentropy.config")
local fs = require("unentropy.fs")
local report = require("unentropy.report")
local sys = require("unentropy.sys")

local cfg_path, db, out = ...
local cfg = assert(config.load(cfg_path))
local c0, w0 = os.clock(), sys.monotonic_ms()
local ds = assert(report.load(cfg, { db = db }))
local w1 = sys.monotonic_ms()
local v = report.view(cfg, ds, { repository = "bench/report" })
local w2 = sys.monotonic_ms()
local html = assert(report.render(v))
local w3 = sys.monotonic_ms()
local path = assert(report.write(out, "index.html", html))
local w4 = sys.monotonic_ms()
local cpu = (os.clock() - c0) * 1000
local status = fs.read("/proc/self/status") or ""
local hwm = status:match("VmHWM:%s*(%d+)") or "0"
print(string.format("%.1f %.1f %s %d %.1f %.1f %.1f %.1f", cpu, w4 - w0, hwm, fs.stat(path).size,
  w1 - w0, w2 - w1, w3 - w2, w4 - w3))
