/* test_fs.c: cmocka suite for fs.c and fs_tree.c in a mkdtemp directory:
 * read/write round trips (binary data), atomic write leaving no temp files
 * and keeping permissions, failures that clean up, append, stat/lstat,
 * mkdir -p, remove and remove_tree (symlinks never followed), rename, copy,
 * temp dirs and names, cwd/realpath, sorted listings and binary sniffing.
 * Depends on cmocka and fs.h only. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fs.h"

static char dir[256];
static char err[PATH_MAX + 256];

static const char *P(const char *rel)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, rel);
    return buf[k];
}

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/unentropy-fs-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static size_t count_entries(const char *d)
{
    FsNames n;
    assert_int_equal(fs_list(d, &n, err, sizeof err), 0);
    size_t c = n.count;
    fs_names_free(&n);
    return c;
}

static void read_equals(const char *path, const char *data, size_t len)
{
    char *got;
    size_t n;
    assert_int_equal(fs_read(path, &got, &n, err, sizeof err), 0);
    assert_int_equal(n, len);
    assert_memory_equal(got, data, len);
    free(got);
}

static void test_write_read(void **state)
{
    assert_int_equal(fs_mkdir_p(P("w"), err, sizeof err), 0);
    const char bin[] = "a\0b\nc\0";
    assert_int_equal(fs_write(P("w/f"), bin, sizeof bin, err, sizeof err), 0);
    read_equals(P("w/f"), bin, sizeof bin);
    assert_int_equal(fs_write(P("w/f"), "new", 3, err, sizeof err), 0);
    read_equals(P("w/f"), "new", 3); /* replaced, not appended */
    assert_int_equal(fs_write(P("w/empty"), "", 0, err, sizeof err), 0);
    read_equals(P("w/empty"), "", 0);
    assert_int_equal(count_entries(P("w")), 2); /* no temp files left */
    /* a large file (bigger than any internal buffer) */
    size_t big = 300000;
    char *data = malloc(big);
    for (size_t i = 0; i < big; i++) {
        data[i] = (char)(i * 7);
    }
    assert_int_equal(fs_write(P("w/big"), data, big, err, sizeof err), 0);
    read_equals(P("w/big"), data, big);
    free(data);
    /* files whose st_size is 0 but that have content */
    if (access("/proc/self/status", R_OK) == 0) {
        char *got;
        size_t n;
        assert_int_equal(fs_read("/proc/self/status", &got, &n, err, sizeof err), 0);
        assert_true(n > 0);
        assert_int_equal(strlen(got), n);
        assert_non_null(strstr(got, "Name:"));
        free(got);
    }
}

static void test_write_keeps_mode(void **state)
{
    assert_int_equal(fs_write(P("mode"), "x", 1, err, sizeof err), 0);
    assert_int_equal(chmod(P("mode"), 0640), 0);
    assert_int_equal(fs_write(P("mode"), "y", 1, err, sizeof err), 0);
    FsStat st;
    assert_int_equal(fs_stat(P("mode"), true, &st, err, sizeof err), 0);
    assert_int_equal(st.mode, 0640);
    mode_t um = umask(022);
    umask(um);
    assert_int_equal(fs_write(P("mode-new"), "y", 1, err, sizeof err), 0);
    assert_int_equal(fs_stat(P("mode-new"), true, &st, err, sizeof err), 0);
    assert_int_equal(st.mode, 0666 & ~um);
}

static void test_write_failures(void **state)
{
    char want[600];
    assert_int_equal(fs_write(P("nodir/f"), "x", 1, err, sizeof err), ENOENT);
    snprintf(want, sizeof want, "fs: cannot write '%s': No such file or directory", P("nodir/f"));
    assert_string_equal(err, want);
    /* the rename fails (target is a directory): the temp file is removed */
    assert_int_equal(fs_mkdir_p(P("wf/target"), err, sizeof err), 0);
    assert_int_equal(fs_write(P("wf/target"), "x", 1, err, sizeof err), EISDIR);
    assert_int_equal(count_entries(P("wf")), 1);
    char *data;
    size_t n;
    assert_int_equal(fs_read(P("missing"), &data, &n, err, sizeof err), ENOENT);
    assert_null(data);
    snprintf(want, sizeof want, "fs: cannot open '%s': No such file or directory", P("missing"));
    assert_string_equal(err, want);
    assert_int_equal(fs_read(dir, &data, &n, err, sizeof err), EISDIR);
    assert_non_null(strstr(err, "fs: cannot read '"));
}

static void test_append(void **state)
{
    assert_int_equal(fs_append(P("log"), "a\n", 2, err, sizeof err), 0);
    assert_int_equal(fs_append(P("log"), "b\n", 2, err, sizeof err), 0);
    read_equals(P("log"), "a\nb\n", 4);
    assert_int_equal(fs_append(P("nodir/log"), "a", 1, err, sizeof err), ENOENT);
}

static void test_stat(void **state)
{
    assert_int_equal(fs_write(P("s"), "12345", 5, err, sizeof err), 0);
    assert_int_equal(symlink("s", P("s-link")), 0);
    FsStat st, lst;
    assert_int_equal(fs_stat(P("s"), true, &st, err, sizeof err), 0);
    assert_int_equal(st.type, FS_FILE);
    assert_int_equal(st.size, 5);
    assert_int_equal(st.nlink, 1);
    assert_true(st.mtime > 1.6e9);
    struct stat raw;
    assert_int_equal(stat(P("s"), &raw), 0);
    assert_int_equal(st.ino, raw.st_ino);
    assert_int_equal(st.dev, raw.st_dev);
    assert_int_equal(fs_stat(P("s-link"), true, &lst, err, sizeof err), 0);
    assert_int_equal(lst.type, FS_FILE);
    assert_int_equal(lst.ino, st.ino); /* stat follows */
    assert_int_equal(fs_stat(P("s-link"), false, &lst, err, sizeof err), 0);
    assert_int_equal(lst.type, FS_LINK);
    assert_int_equal(fs_stat(dir, false, &lst, err, sizeof err), 0);
    assert_int_equal(lst.type, FS_DIR);
    assert_int_equal(fs_stat("/dev/null", true, &lst, err, sizeof err), 0);
    assert_int_equal(lst.type, FS_OTHER);
    assert_int_equal(fs_stat(P("nope"), true, &lst, err, sizeof err), ENOENT);
    assert_non_null(strstr(err, "fs: cannot stat '"));
}

static void test_mkdir_p(void **state)
{
    assert_int_equal(fs_mkdir_p(P("m/a/b/c/"), err, sizeof err), 0);
    FsStat st;
    assert_int_equal(fs_stat(P("m/a/b/c"), true, &st, err, sizeof err), 0);
    assert_int_equal(st.type, FS_DIR);
    assert_int_equal(fs_mkdir_p(P("m/a/b"), err, sizeof err), 0); /* exists: fine */
    assert_int_equal(fs_mkdir_p("/", err, sizeof err), 0);
    assert_int_equal(fs_write(P("m/file"), "x", 1, err, sizeof err), 0);
    assert_int_equal(fs_mkdir_p(P("m/file"), err, sizeof err), EEXIST);
    assert_int_equal(fs_mkdir_p(P("m/file/sub"), err, sizeof err), ENOTDIR);
    assert_non_null(strstr(err, "fs: cannot create directory '"));
    assert_int_equal(fs_mkdir_p("", err, sizeof err), ENOENT);
}

static void test_remove(void **state)
{
    assert_int_equal(fs_mkdir_p(P("r/d"), err, sizeof err), 0);
    assert_int_equal(fs_write(P("r/d/f"), "x", 1, err, sizeof err), 0);
    assert_int_equal(fs_remove(P("r/d"), err, sizeof err), ENOTEMPTY);
    assert_int_equal(fs_remove(P("r/d/f"), err, sizeof err), 0);
    assert_int_equal(fs_remove(P("r/d"), err, sizeof err), 0);
    assert_int_equal(fs_remove(P("r/d"), err, sizeof err), ENOENT);
    assert_non_null(strstr(err, "fs: cannot remove '"));
}

static void test_remove_tree(void **state)
{
    /* outside/keep must survive links to it from inside the tree */
    assert_int_equal(fs_mkdir_p(P("outside"), err, sizeof err), 0);
    assert_int_equal(fs_write(P("outside/keep"), "k", 1, err, sizeof err), 0);
    assert_int_equal(fs_mkdir_p(P("t/a/b/c"), err, sizeof err), 0);
    for (int i = 0; i < 300; i++) { /* enough entries for several readdir batches */
        char rel[64];
        snprintf(rel, sizeof rel, "t/a/file-with-a-long-name-%03d", i);
        assert_int_equal(fs_write(P(rel), "x", 1, err, sizeof err), 0);
    }
    assert_int_equal(fs_write(P("t/a/b/c/.hidden"), "x", 1, err, sizeof err), 0);
    assert_int_equal(symlink(P("outside"), P("t/dirlink")), 0);
    assert_int_equal(symlink(P("outside/keep"), P("t/a/filelink")), 0);
    assert_int_equal(symlink("nowhere", P("t/dangling")), 0);
    assert_int_equal(fs_remove_tree(P("t"), err, sizeof err), 0);
    FsStat st;
    assert_int_equal(fs_stat(P("t"), false, &st, err, sizeof err), ENOENT);
    read_equals(P("outside/keep"), "k", 1);
    /* a symlink given as the root is removed itself */
    assert_int_equal(symlink(P("outside"), P("rootlink")), 0);
    assert_int_equal(fs_remove_tree(P("rootlink"), err, sizeof err), 0);
    assert_int_equal(fs_stat(P("rootlink"), false, &st, err, sizeof err), ENOENT);
    read_equals(P("outside/keep"), "k", 1);
    /* a plain file */
    assert_int_equal(fs_remove_tree(P("outside/keep"), err, sizeof err), 0);
    assert_int_equal(fs_remove_tree(P("outside/keep"), err, sizeof err), ENOENT);
}

static void test_rename_copy(void **state)
{
    assert_int_equal(fs_write(P("c-src"), "copy me", 7, err, sizeof err), 0);
    assert_int_equal(chmod(P("c-src"), 0751), 0);
    assert_int_equal(fs_write(P("c-dst"), "old content", 11, err, sizeof err), 0);
    assert_int_equal(fs_copy(P("c-src"), P("c-dst"), err, sizeof err), 0);
    read_equals(P("c-dst"), "copy me", 7);
    read_equals(P("c-src"), "copy me", 7);
    FsStat st;
    mode_t um = umask(022);
    umask(um);
    assert_int_equal(fs_stat(P("c-dst"), true, &st, err, sizeof err), 0);
    assert_int_equal(st.mode, 0751 & ~um);
    assert_int_equal(fs_copy(P("c-none"), P("c-x"), err, sizeof err), ENOENT);
    char want[1200];
    snprintf(want, sizeof want, "fs: cannot copy '%s' to '%s': No such file or directory",
             P("c-none"), P("c-x"));
    assert_string_equal(err, want);
    assert_int_equal(fs_copy(dir, P("c-x"), err, sizeof err), EISDIR);
    assert_int_equal(fs_rename(P("c-dst"), P("c-moved"), err, sizeof err), 0);
    read_equals(P("c-moved"), "copy me", 7);
    assert_int_equal(fs_rename(P("c-dst"), P("c-moved"), err, sizeof err), ENOENT);
    assert_non_null(strstr(err, "fs: cannot rename '"));
}

static void test_temp(void **state)
{
    char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    setenv("TMPDIR", dir, 1);
    char a[PATH_MAX], b[PATH_MAX];
    assert_int_equal(fs_mkdtemp("pre-", a, sizeof a, err, sizeof err), 0);
    assert_int_equal(fs_mkdtemp(NULL, b, sizeof b, err, sizeof err), 0);
    assert_string_not_equal(a, b);
    assert_int_equal(strncmp(a, P("pre-"), strlen(P("pre-"))), 0);
    assert_int_equal(strncmp(b, P("unentropy-"), strlen(P("unentropy-"))), 0);
    FsStat st;
    assert_int_equal(fs_stat(a, true, &st, err, sizeof err), 0);
    assert_int_equal(st.type, FS_DIR);
    assert_int_equal(fs_tmpname(a, b, sizeof b, err, sizeof err), 0);
    assert_int_equal(strncmp(b, a, strlen(a)), 0);
    assert_int_equal(fs_stat(b, true, &st, err, sizeof err), 0);
    assert_int_equal(st.type, FS_FILE);
    assert_int_equal(st.size, 0);
    char c[PATH_MAX];
    assert_int_equal(fs_tmpname(NULL, c, sizeof c, err, sizeof err), 0);
    assert_string_not_equal(b, c);
    assert_int_equal(strncmp(c, dir, strlen(dir)), 0);
    assert_int_equal(fs_tmpname(P("no/such"), c, sizeof c, err, sizeof err), ENOENT);
    setenv("TMPDIR", "", 1); /* empty counts as unset */
    assert_int_equal(fs_mkdtemp("unentropy-test-fs-", a, sizeof a, err, sizeof err), 0);
    assert_int_equal(strncmp(a, "/tmp/unentropy-test-fs-", 23), 0);
    assert_int_equal(rmdir(a), 0);
    if (old) {
        setenv("TMPDIR", old, 1);
        free(old);
    } else {
        unsetenv("TMPDIR");
    }
}

static void test_cwd_realpath_list(void **state)
{
    char cwd[PATH_MAX], real[PATH_MAX];
    assert_int_equal(fs_cwd(cwd, sizeof cwd, err, sizeof err), 0);
    assert_int_equal(cwd[0], '/');
    assert_int_equal(fs_mkdir_p(P("l/sub"), err, sizeof err), 0);
    assert_int_equal(symlink("sub", P("l/link")), 0);
    assert_int_equal(fs_realpath(P("l/link/../sub"), real, sizeof real, err, sizeof err), 0);
    char want[PATH_MAX];
    assert_non_null(realpath(P("l/sub"), want));
    assert_string_equal(real, want);
    assert_int_equal(fs_realpath(P("l/none"), real, sizeof real, err, sizeof err), ENOENT);
    assert_non_null(strstr(err, "fs: cannot resolve '"));
    const char *names[] = {"b", "B", "a-b", "a", ".h", "a.b"};
    for (size_t i = 0; i < 6; i++) {
        char rel[32];
        snprintf(rel, sizeof rel, "l/%s", names[i]);
        assert_int_equal(fs_write(P(rel), "", 0, err, sizeof err), 0);
    }
    FsNames n;
    assert_int_equal(fs_list(P("l"), &n, err, sizeof err), 0);
    const char *sorted[] = {".h", "B", "a", "a-b", "a.b", "b", "link", "sub"};
    assert_int_equal(n.count, 8);
    for (size_t i = 0; i < 8; i++) {
        assert_string_equal(n.names[i], sorted[i]);
    }
    fs_names_free(&n);
    assert_int_equal(fs_list(P("l/none"), &n, err, sizeof err), ENOENT);
    assert_int_equal(fs_list(P("l/b"), &n, err, sizeof err), ENOTDIR);
    assert_non_null(strstr(err, "fs: cannot list '"));
    fs_names_free(&n);
}

static void test_is_binary(void **state)
{
    char buf[9000];
    memset(buf, 'x', sizeof buf);
    bool bin = true;
    assert_int_equal(fs_write(P("text"), buf, sizeof buf, err, sizeof err), 0);
    assert_int_equal(fs_is_binary(P("text"), &bin, err, sizeof err), 0);
    assert_false(bin);
    buf[100] = '\0';
    assert_int_equal(fs_write(P("bin"), buf, sizeof buf, err, sizeof err), 0);
    assert_int_equal(fs_is_binary(P("bin"), &bin, err, sizeof err), 0);
    assert_true(bin);
    buf[100] = 'x';
    buf[FS_SNIFF_BYTES - 1] = '\0'; /* last sniffed byte */
    assert_int_equal(fs_write(P("edge"), buf, sizeof buf, err, sizeof err), 0);
    assert_int_equal(fs_is_binary(P("edge"), &bin, err, sizeof err), 0);
    assert_true(bin);
    buf[FS_SNIFF_BYTES - 1] = 'x';
    buf[FS_SNIFF_BYTES] = '\0'; /* just past it */
    assert_int_equal(fs_write(P("late"), buf, sizeof buf, err, sizeof err), 0);
    assert_int_equal(fs_is_binary(P("late"), &bin, err, sizeof err), 0);
    assert_false(bin);
    assert_int_equal(fs_write(P("empty-b"), "", 0, err, sizeof err), 0);
    assert_int_equal(fs_is_binary(P("empty-b"), &bin, err, sizeof err), 0);
    assert_false(bin);
    assert_int_equal(fs_is_binary(P("none"), &bin, err, sizeof err), ENOENT);
    assert_int_equal(fs_is_binary(dir, &bin, err, sizeof err), EISDIR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_read),
        cmocka_unit_test(test_write_keeps_mode),
        cmocka_unit_test(test_write_failures),
        cmocka_unit_test(test_append),
        cmocka_unit_test(test_stat),
        cmocka_unit_test(test_mkdir_p),
        cmocka_unit_test(test_remove),
        cmocka_unit_test(test_remove_tree),
        cmocka_unit_test(test_rename_copy),
        cmocka_unit_test(test_temp),
        cmocka_unit_test(test_cwd_realpath_list),
        cmocka_unit_test(test_is_binary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
