-- unentropy sources: not available yet; it lands with the built-in collectors issue.
local args = { ... }
if args[1] == "--help" or args[1] == "-h" then
  io.stdout:write("Usage: unentropy sources [options]\n\n'unentropy sources' is not available in this build yet.\n")
  return 0
end
io.stderr:write("Error: 'unentropy sources' is not available in this build yet (it lands with the built-in collectors issue)\n")
return 1
