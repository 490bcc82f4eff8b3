-- unentropy gate: not available yet; it lands with the quality-gate issue.
local args = { ... }
if args[1] == "--help" or args[1] == "-h" then
  io.stdout:write("Usage: unentropy gate [options]\n\n'unentropy gate' is not available in this build yet.\n")
  return 0
end
io.stderr:write("Error: 'unentropy gate' is not available in this build yet (it lands with the quality-gate issue)\n")
return 1
