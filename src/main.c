/* main.c: entry point. Takes the global --lua-dir option (it must be known
 * before any script loads), then hands the command line to the Lua CLI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

int main(int argc, char **argv)
{
    const char *lua_dir = getenv("UNENTROPY_LUA_DIR");
    int first = 1;
    while (first < argc) {
        if (strcmp(argv[first], "--lua-dir") == 0 && first + 1 < argc) {
            lua_dir = argv[first + 1];
            first += 2;
        } else if (strncmp(argv[first], "--lua-dir=", 10) == 0) {
            lua_dir = argv[first] + 10;
            first += 1;
        } else if (strcmp(argv[first], "--lua-dir") == 0) {
            fprintf(stderr, "Error: Missing value for --lua-dir\n");
            return 1;
        } else {
            break;
        }
    }
    Host *h = host_open(lua_dir);
    if (h == NULL) {
        fprintf(stderr, "Error: cannot create Lua state: out of memory\n");
        return 1;
    }
    int rc = host_run(h, argc - first, argv + first);
    host_close(h);
    return rc;
}
