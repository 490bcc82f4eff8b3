-- unentropy import: not available yet; it lands with the import issue.
local args = { ... }
if args[1] == "--help" or args[1] == "-h" then
  io.stdout:write("Usage: unentropy import [options]\n\n'unentropy import' is not available in this build yet.\n")
  return 0
end
io.stderr:write("Error: 'unentropy import' is not available in this build yet (it lands with the import issue)\n")
return 1
