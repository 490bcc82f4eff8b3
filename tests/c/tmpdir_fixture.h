/* tmpdir_fixture.h: a temporary directory for a cmocka suite. Define
 * TMPDIR_TEMPLATE ("/tmp/test_x.XXXXXX") before including; pass
 * tmpdir_setup / tmpdir_teardown to cmocka_run_group_tests. Header-only,
 * for tests. */
#ifndef UNENTROPY_TMPDIR_FIXTURE_H
#define UNENTROPY_TMPDIR_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char tmpdir[64];

static int tmpdir_setup(void **state)
{
    (void)state;
    strcpy(tmpdir, TMPDIR_TEMPLATE);
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int tmpdir_teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
