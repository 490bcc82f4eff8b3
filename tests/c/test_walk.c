/* test_walk.c: cmocka suite for walk.c and walk_glob.c on a real temp tree:
 * symlinks to files and dirs (never followed or listed), fifos, hidden
 * files (listed by walk, filtered by glob), case-insensitive skip_names,
 * byte-order sorting, exclude pruning, unreadable directories, error
 * returns, glob expansion (pruning, "../" and absolute patterns, dirs) and
 * a 50,000-file walk (timings printed, not asserted). Depends on cmocka, walk.h and glob.h. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "walk.h"

static char root[256];

static void mk(const char *rel, const char *content)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    if (content == NULL) {
        assert_int_equal(mkdir(p, 0755), 0);
        return;
    }
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static void ln(const char *target, const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    assert_int_equal(symlink(target, p), 0);
}

static int setup(void **state)
{
    snprintf(root, sizeof root, "%s/unentropy-walk-XXXXXX",
             getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(root) == NULL) {
        return -1;
    }
    mk("b.txt", "b");
    mk("A.txt", "A");
    mk(".hidden", "h");
    mk("a-b", "x");
    mk("a.c", "x");
    mk("a", NULL);
    mk("a/x", "x");
    mk("dir", NULL);
    mk("dir/x.c", "int x;");
    mk("dir/sub", NULL);
    mk("dir/sub/y.c", "int y;");
    mk(".git", NULL);
    mk(".git/config", "c");
    mk("NODE_MODULES", NULL);
    mk("NODE_MODULES/pkg", NULL);
    mk("NODE_MODULES/pkg/index.js", "js");
    mk("z-empty", NULL);
    ln("b.txt", "link_file");
    ln("dir", "link_dir");
    ln("nowhere", "dangling");
    char fifo[512];
    snprintf(fifo, sizeof fifo, "%s/fifo", root);
    assert_int_equal(mkfifo(fifo, 0644), 0);
    return 0;
}

static int teardown(void **state)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", root, root);
    return system(cmd) == 0 ? 0 : -1;
}

/* Joins the listed paths with ',' (types as "/" suffix for dirs). */
static char *joined(const WalkList *l)
{
    static char buf[4096];
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < l->count; i++) {
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s%s", i ? "," : "",
                              l->entries[i].path, l->entries[i].type == WALK_DIR ? "/" : "");
        assert_int_equal(strlen(l->entries[i].path), l->entries[i].len);
    }
    return buf;
}

static void test_walk_files(void **state)
{
    WalkOptions o = {0};
    WalkList l;
    char err[512];
    assert_int_equal(walk_tree(root, &o, &l, err, sizeof err), 0);
    /* Byte order ('A' < 'a', '-' < '.' < '/'); hidden files and .git are
     * listed; links, the fifo and empty dirs are not. */
    assert_string_equal(joined(&l), ".git/config,.hidden,A.txt,NODE_MODULES/pkg/index.js,"
                                    "a-b,a.c,a/x,b.txt,dir/sub/y.c,dir/x.c");
    assert_int_equal(l.skipped, 0);
    walk_list_free(&l);
}

static void test_walk_skip_and_dirs(void **state)
{
    const char *skip[] = {".git", "node_modules"};
    WalkOptions o = {.skip_names = skip, .nskip = 2, .dirs = true};
    WalkList l;
    char err[512];
    assert_int_equal(walk_tree(root, &o, &l, err, sizeof err), 0);
    /* "a" (a directory, shown as "a/") sorts before "a-b": it is a prefix */
    assert_string_equal(joined(&l), ".hidden,A.txt,a/,a-b,a.c,a/x,b.txt,dir/,dir/sub/,"
                                    "dir/sub/y.c,dir/x.c,z-empty/");
    walk_list_free(&l);
}

static void test_walk_exclude(void **state)
{
    const char *ex[] = {"**/*.c", "dir", ".*"};
    GlobSet *s = NULL;
    char err[512];
    assert_int_equal(globset_compile(ex, 3, NULL, &s, err, sizeof err), 0);
    WalkOptions o = {.exclude = s, .dirs = true};
    WalkList l;
    assert_int_equal(walk_tree(root, &o, &l, err, sizeof err), 0);
    /* "dir" is pruned (nothing below it), .git and .hidden excluded */
    assert_string_equal(joined(&l), "A.txt,NODE_MODULES/,NODE_MODULES/pkg/,"
                                    "NODE_MODULES/pkg/index.js,a/,a-b,a/x,b.txt,z-empty/");
    walk_list_free(&l);
    globset_free(s);

    const char *ex2[] = {"dir/**", "NODE_MODULES/**"};
    assert_int_equal(globset_compile(ex2, 2, NULL, &s, err, sizeof err), 0);
    o.exclude = s;
    o.dirs = false;
    assert_int_equal(walk_tree(root, &o, &l, err, sizeof err), 0);
    assert_string_equal(joined(&l), ".git/config,.hidden,A.txt,a-b,a.c,a/x,b.txt");
    walk_list_free(&l);
    globset_free(s);
}

static void test_walk_errors(void **state)
{
    WalkOptions o = {0};
    WalkList l;
    char err[512], p[512];
    snprintf(p, sizeof p, "%s/b.txt", root);
    assert_int_equal(walk_tree(p, &o, &l, err, sizeof err), ENOTDIR);
    char want[600];
    snprintf(want, sizeof want, "fs: cannot walk '%s': Not a directory", p);
    assert_string_equal(err, want);
    assert_int_equal(l.count, 0);
    walk_list_free(&l);
    snprintf(p, sizeof p, "%s/missing", root);
    assert_int_equal(walk_tree(p, &o, &l, err, sizeof err), ENOENT);
    walk_list_free(&l);
    snprintf(p, sizeof p, "%s/link_dir", root); /* a symlinked root is followed */
    assert_int_equal(walk_tree(p, &o, &l, err, sizeof err), 0);
    assert_string_equal(joined(&l), "sub/y.c,x.c");
    walk_list_free(&l);
}

static void test_walk_unreadable(void **state)
{
    if (geteuid() == 0) {
        skip(); /* root reads everything */
    }
    mk("locked", NULL);
    mk("locked/f", "f");
    char p[512];
    snprintf(p, sizeof p, "%s/locked", root);
    assert_int_equal(chmod(p, 0), 0);
    WalkOptions o = {0};
    WalkList l;
    char err[512];
    assert_int_equal(walk_tree(root, &o, &l, err, sizeof err), 0);
    assert_int_equal(l.skipped, 1);
    assert_null(strstr(joined(&l), "locked"));
    walk_list_free(&l);
    o.strict = true;
    assert_int_equal(walk_tree(root, &o, &l, err, sizeof err), EACCES);
    assert_non_null(strstr(err, "/locked': Permission denied"));
    walk_list_free(&l);
    chmod(p, 0755);
    snprintf(p, sizeof p, "rm -rf '%s/locked'", root);
    assert_int_equal(system(p), 0);
}

static char *expand(const char *base, const char *const *pats, size_t n, bool dirs)
{
    WalkOptions o = {.dirs = dirs};
    WalkList l;
    char err[512];
    int rc = glob_expand(base, pats, n, &o, &l, err, sizeof err);
    if (rc != 0) {
        fail_msg("glob_expand: %s", err);
    }
    char *s = joined(&l);
    walk_list_free(&l);
    return s;
}

static void test_glob_expand(void **state)
{
    const char *p1[] = {"**/*.c"};
    assert_string_equal(expand(root, p1, 1, false), "a.c,dir/sub/y.c,dir/x.c");
    const char *p2[] = {"**/*.c", "!dir/sub/**"};
    assert_string_equal(expand(root, p2, 2, false), "a.c,dir/x.c");
    const char *p3[] = {"dir/**"};
    assert_string_equal(expand(root, p3, 1, true), "dir/,dir/sub/,dir/sub/y.c,dir/x.c");
    const char *p4[] = {"**"}; /* no dotfiles, no links */
    assert_string_equal(expand(root, p4, 1, false),
                        "A.txt,NODE_MODULES/pkg/index.js,a-b,a.c,a/x,b.txt,dir/sub/y.c,dir/x.c");
    const char *p5[] = {".*", "**/.git/*"};
    assert_string_equal(expand(root, p5, 2, false), ".git/config,.hidden");
    /* all negated: start included; ".*" matches ".git" but not ".git/config" */
    const char *p6[] = {"!**/*.c", "!NODE_MODULES/**", "!.*"};
    assert_string_equal(expand(root, p6, 3, false), ".git/config,A.txt,a-b,a/x,b.txt");
    const char *p6b[] = {"!**/*.c", "!NODE_MODULES/**", "!.*", "!.*/**"};
    assert_string_equal(expand(root, p6b, 4, false), "A.txt,a-b,a/x,b.txt");
    const char *p7[] = {"nothing/*"};
    assert_string_equal(expand(root, p7, 1, false), "");
}

static void test_glob_expand_updirs(void **state)
{
    char base[512], abs[600];
    snprintf(base, sizeof base, "%s/dir", root);
    const char *p1[] = {"../b.txt", "sub/*.c", "../a/*"};
    assert_string_equal(expand(base, p1, 3, false), "../a/x,../b.txt,sub/y.c");
    const char *p2[] = {"../**/*.c", "!../dir/sub/**"};
    /* root/dir/x.c is reported base-relative ("x.c"), so ../ patterns never
     * match inside base */
    assert_string_equal(expand(base, p2, 2, false), "../a.c");
    snprintf(abs, sizeof abs, "%s/dir/**/*.c", root);
    const char *p3[] = {abs};
    assert_string_equal(expand(root, p3, 1, false), "dir/sub/y.c,dir/x.c");
    snprintf(abs, sizeof abs, "%s/a.c", root);
    const char *p4[] = {abs};
    assert_string_equal(expand(base, p4, 1, false), "../a.c");
    /* base named like a skip name is still reached from above */
    char nm[512];
    snprintf(nm, sizeof nm, "%s/NODE_MODULES/pkg", root);
    const char *skip[] = {"node_modules"};
    WalkOptions o = {.skip_names = skip, .nskip = 1};
    WalkList l;
    char err[512];
    const char *p5[] = {"../../a.c", "*.js"};
    assert_int_equal(glob_expand(nm, p5, 2, &o, &l, err, sizeof err), 0);
    assert_string_equal(joined(&l), "../../a.c,index.js");
    walk_list_free(&l);
}

static void test_glob_expand_errors(void **state)
{
    char p[512], err[512];
    snprintf(p, sizeof p, "%s/missing", root);
    const char *pats[] = {"*"};
    WalkOptions o = {0};
    WalkList l;
    assert_int_equal(glob_expand(p, pats, 1, &o, &l, err, sizeof err), ENOENT);
    assert_non_null(strstr(err, "fs: cannot glob '"));
    walk_list_free(&l);
    const char *many[] = {"{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}"};
    assert_int_equal(glob_expand(root, many, 1, &o, &l, err, sizeof err), E2BIG);
    walk_list_free(&l);
}

/* Expansion equals walk + filter (no dot-directory pruning involved). */
static void test_glob_matches_filter(void **state)
{
    const char *sets[][3] = {
        {"**/*.c", "!dir/**", "dir/sub/**"},
        {"**", "!a/**", NULL},
        {"!*.txt", "!dir/sub/*", NULL},
        {"{a,dir}/**", "!**/x*", NULL},
    };
    for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++) {
        size_t n = sets[k][2] ? 3 : 2;
        GlobSet *s = NULL;
        char err[512];
        assert_int_equal(globset_compile(sets[k], n, NULL, &s, err, sizeof err), 0);
        WalkOptions o = {0};
        WalkList all;
        assert_int_equal(walk_tree(root, &o, &all, err, sizeof err), 0);
        char want[4096] = "";
        size_t w = 0;
        for (size_t i = 0; i < all.count; i++) {
            if (globset_match(s, all.entries[i].path, all.entries[i].len)) {
                w += (size_t)snprintf(want + w, sizeof want - w, "%s%s", w ? "," : "",
                                      all.entries[i].path);
            }
        }
        walk_list_free(&all);
        globset_free(s);
        assert_string_equal(expand(root, sets[k], n, false), want);
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_walk_50k(void **state)
{
    /* File creation is slow on some disks (and not what we measure): use
     * tmpfs when there is one. */
    char big[512], p[600];
    snprintf(big, sizeof big, "%s/unentropy-walk50k-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : root);
    assert_non_null(mkdtemp(big));
    for (int d = 0; d < 500; d++) {
        snprintf(p, sizeof p, "%s/d%03d", big, d);
        assert_int_equal(mkdir(p, 0755), 0);
        for (int f = 0; f < 100; f++) {
            snprintf(p, sizeof p, "%s/d%03d/f%03d.c", big, d, f);
            int fd = open(p, O_WRONLY | O_CREAT, 0644);
            assert_true(fd >= 0);
            close(fd);
        }
    }
    WalkOptions o = {0};
    WalkList l;
    char err[512];
    double t0 = now();
    assert_int_equal(walk_tree(big, &o, &l, err, sizeof err), 0);
    double t1 = now();
    assert_int_equal(l.count, 50000);
    assert_string_equal(l.entries[0].path, "d000/f000.c");
    assert_string_equal(l.entries[49999].path, "d499/f099.c");
    walk_list_free(&l);
    const char *pats[] = {"**/*.c", "!d1*/**"};
    double t2 = now();
    assert_int_equal(glob_expand(big, pats, 2, &o, &l, err, sizeof err), 0);
    double t3 = now();
    assert_int_equal(l.count, 40000);
    walk_list_free(&l);
    fprintf(stderr, "walk 50k: %.3fs, glob: %.3fs\n", t1 - t0, t3 - t2);
    /* Timings are printed for information only: speed is measured by
     * bench/, never asserted by tests (the machine is shared and noisy). */
    snprintf(p, sizeof p, "rm -rf '%s'", big);
    assert_int_equal(system(p), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk_files),
        cmocka_unit_test(test_walk_skip_and_dirs),
        cmocka_unit_test(test_walk_exclude),
        cmocka_unit_test(test_walk_errors),
        cmocka_unit_test(test_walk_unreadable),
        cmocka_unit_test(test_glob_expand),
        cmocka_unit_test(test_glob_expand_updirs),
        cmocka_unit_test(test_glob_expand_errors),
        cmocka_unit_test(test_glob_matches_filter),
        cmocka_unit_test(test_walk_50k),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
