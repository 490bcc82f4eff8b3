-- unentropy report: not available yet; it lands with the HTML report issue.
local args = { ... }
if args[1] == "--help" or args[1] == "-h" then
  io.stdout:write("Usage: unentropy report [options]\n\n'unentropy report' is not available in this build yet.\n")
  return 0
end
io.stderr:write("Error: 'unentropy report' is not available in this build yet (it lands with the HTML report issue)\n")
return 1
