/* host.h: the Lua host. Owns the single lua_State: opens the standard
 * libraries, preloads the C modules, installs the module searchers (dev
 * override directory, then embedded scripts), a strict _G, and runs
 * require("unentropy.cli").main(args) under a traceback handler.
 * main.c talks to the host only through these verbs. */
#ifndef UNENTROPY_HOST_H
#define UNENTROPY_HOST_H

typedef struct Host Host;

/* Creates the host. `lua_dir` (may be NULL) overrides embedded scripts:
 * DIR/unentropy/x.lua and DIR/commands/x.lua load before the embedded ones.
 * Returns NULL on allocation failure. The caller frees with host_close. */
Host *host_open(const char *lua_dir);

/* Runs the CLI with argv[0..argc-1] (the command and its arguments, global
 * options already removed). Returns the process exit code. Never raises;
 * errors that escape the CLI are printed to stderr with a traceback. */
int host_run(Host *h, int argc, char **argv);

/* Closes the Lua state (running every finaliser) and frees the host. */
void host_close(Host *h);

#endif
