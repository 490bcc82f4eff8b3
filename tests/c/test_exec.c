/* test_exec.c: cmocka suite for exec.c, run against /bin/sh fixtures: exit
 * codes, signals, start failures, timeouts that must kill grandchildren,
 * bounded capture of huge output, stdin, environment, cwd, drain, signal
 * dispositions, EINTR, and no leaked fds or zombies. Temp files live in a
 * mkdtemp directory. Depends on cmocka and exec.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "exec.h"

static char tmpdir[64];

/* Runs `sh -c cmd` with o (or defaults); asserts it started. */
static void run_sh(const char *cmd, ExecOpts *o, ExecResult *r)
{
    ExecOpts d;
    if (o == NULL) {
        exec_opts_init(&d);
        o = &d;
    }
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    o->argv = argv;
    char err[256] = "";
    int rc = exec_run(o, r, err, sizeof err);
    if (rc != 0) {
        fail_msg("exec_run(%s) failed: %s", cmd, err);
    }
    o->argv = NULL;
}

static int count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    while (readdir(d)) {
        n++;
    }
    closedir(d);
    return n;
}

/* Gone means gone: exec_run reaps what it killed (it is a child subreaper),
 * so not even a zombie may be left when it returns. */
static int process_gone(long pid)
{
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Reads the pids a fixture wrote to path, one per line; returns the count. */
static int read_pids(const char *path, long *pids, int max)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int n = 0;
    while (n < max && fscanf(f, "%ld", &pids[n]) == 1) {
        n++;
    }
    fclose(f);
    return n;
}

static void assert_no_children(void)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

static void test_exit_codes(void **state)
{
    static const int codes[] = {0, 1, 42};
    for (size_t i = 0; i < 3; i++) {
        char cmd[32];
        snprintf(cmd, sizeof cmd, "exit %d", codes[i]);
        ExecResult r;
        run_sh(cmd, NULL, &r);
        assert_true(r.exited);
        assert_int_equal(r.status, codes[i]);
        assert_int_equal(r.signal, 0);
        assert_false(r.timed_out);
        exec_result_free(&r);
    }
    assert_no_children();
}

static void test_argv_path_lookup_and_capture(void **state)
{
    const char *argv[] = {"printf", "%s|%s", "a b", "c", NULL};
    ExecOpts o;
    exec_opts_init(&o);
    o.argv = argv;
    ExecResult r;
    char err[256];
    assert_int_equal(exec_run(&o, &r, err, sizeof err), 0);
    assert_string_equal(r.out, "a b|c");
    assert_int_equal(r.out_len, 5);
    exec_result_free(&r);
    exec_result_free(&r); /* idempotent */

    run_sh("echo out; echo err >&2; exit 3", NULL, &r);
    assert_string_equal(r.out, "out\n");
    assert_string_equal(r.err, "err\n");
    assert_int_equal(r.status, 3);
    assert_false(r.out_truncated || r.err_truncated);
    exec_result_free(&r);
}

static void test_signal(void **state)
{
    ExecResult r;
    run_sh("kill -SEGV $$", NULL, &r);
    assert_false(r.exited);
    assert_int_equal(r.signal, SIGSEGV);
    char buf[32];
    assert_string_equal(exec_signal_name(r.signal, buf, sizeof buf), "SIGSEGV");
    exec_result_free(&r);
}

static void test_signal_names(void **state)
{
    char buf[32];
    assert_string_equal(exec_signal_name(SIGTERM, buf, sizeof buf), "SIGTERM");
    assert_string_equal(exec_signal_name(SIGKILL, buf, sizeof buf), "SIGKILL");
    assert_string_equal(exec_signal_name(SIGPIPE, buf, sizeof buf), "SIGPIPE");
    assert_string_equal(exec_signal_name(SIGRTMIN + 2, buf, sizeof buf), "SIGRTMIN+2");
    assert_null(exec_signal_name(0, buf, sizeof buf));
    assert_null(exec_signal_name(-1, buf, sizeof buf));
    assert_null(exec_signal_name(100000, buf, sizeof buf));
}

static void test_start_failures(void **state)
{
    int fds = count_fds();
    const char *argv[] = {"unentropy-no-such-program", NULL};
    ExecOpts o;
    exec_opts_init(&o);
    o.argv = argv;
    ExecResult r;
    char err[256];
    assert_int_equal(exec_run(&o, &r, err, sizeof err), ENOENT);
    assert_string_equal(err, "exec: cannot run 'unentropy-no-such-program': "
                             "No such file or directory");
    assert_null(r.out);

    const char *argv2[] = {"true", NULL};
    o.argv = argv2;
    o.cwd = "/nonexistent/dir";
    assert_int_equal(exec_run(&o, &r, err, sizeof err), ENOENT);
    assert_string_equal(err, "exec: cannot run 'true' in '/nonexistent/dir': "
                             "No such file or directory");

    const char *argv3[] = {"/etc/passwd", NULL}; /* not executable */
    o.argv = argv3;
    o.cwd = NULL;
    assert_int_equal(exec_run(&o, &r, err, sizeof err), EACCES);
    assert_non_null(strstr(err, "Permission denied"));

    ExecEnvVar bad = {"A=B", "x"};
    o.argv = argv2;
    o.env = &bad;
    o.n_env = 1;
    assert_int_equal(exec_run(&o, &r, err, sizeof err), EINVAL);
    assert_string_equal(err, "exec: cannot run 'true': invalid environment variable name");

    const char *empty[] = {NULL};
    o.argv = empty;
    o.n_env = 0;
    assert_int_equal(exec_run(&o, &r, err, sizeof err), EINVAL);
    assert_int_equal(count_fds(), fds);
    assert_no_children();
}

static void test_timeout_kills_grandchildren(void **state)
{
    char cmd[512], pidfile[128];
    snprintf(pidfile, sizeof pidfile, "%s/pids", tmpdir);
    snprintf(cmd, sizeof cmd,
             "sleep 100 & echo $! > %s; sleep 100 & echo $! >> %s; wait", pidfile, pidfile);
    ExecOpts o;
    exec_opts_init(&o);
    o.timeout_ms = 300;
    ExecResult r;
    run_sh(cmd, &o, &r);
    assert_true(r.timed_out);
    assert_false(r.exited);
    assert_int_equal(r.signal, SIGTERM);
    /* The whole group got SIGTERM: nothing held the pipes for a drain. */
    assert_true(r.duration_ms >= 290 && r.duration_ms < 6000);
    exec_result_free(&r);
    long pids[4];
    assert_int_equal(read_pids(pidfile, pids, 4), 2);
    assert_true(process_gone(pids[0]));
    assert_true(process_gone(pids[1]));
    assert_no_children();
}

static void test_sigterm_ignored_gets_sigkill(void **state)
{
    ExecOpts o;
    exec_opts_init(&o);
    o.timeout_ms = 200;
    o.kill_grace_ms = 300;
    ExecResult r;
    run_sh("trap '' TERM; sleep 100; sleep 100", &o, &r);
    assert_true(r.timed_out);
    assert_int_equal(r.signal, SIGKILL);
    assert_true(r.duration_ms >= 490);
    assert_true(r.duration_ms < 10000);
    exec_result_free(&r);
}

static void test_huge_output_bounded(void **state)
{
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    ExecResult r;
    run_sh("head -c 52428800 /dev/zero", NULL, &r);
    getrusage(RUSAGE_SELF, &after);
    assert_true(r.exited && r.status == 0);
    assert_int_equal(r.out_len, EXEC_DEFAULT_MAX_OUTPUT);
    assert_true(r.out_truncated);
    assert_false(r.err_truncated);
    long grown_kb = after.ru_maxrss - before.ru_maxrss;
    if (grown_kb >= 16 * 1024) {
        fail_msg("peak RSS grew by %ld KiB for 50 MB of output", grown_kb);
    }
    exec_result_free(&r);
}

static void test_both_streams_large(void **state)
{
    /* 3 MB on each stream at once: a reader that blocks on one would
     * deadlock with the child stuck writing the other. */
    ExecOpts o;
    exec_opts_init(&o);
    o.max_output = 4u << 20;
    o.timeout_ms = 20000;
    ExecResult r;
    run_sh("head -c 3000000 /dev/zero >&2 & head -c 3000000 /dev/zero; wait", &o, &r);
    assert_false(r.timed_out);
    assert_int_equal(r.out_len, 3000000);
    assert_int_equal(r.err_len, 3000000);
    assert_false(r.out_truncated || r.err_truncated);
    exec_result_free(&r);

    o.max_output = 1000;
    run_sh("yes err | head -c 5000000 >&2 & yes out | head -c 5000000; wait", &o, &r);
    assert_false(r.timed_out);
    assert_int_equal(r.out_len, 1000);
    assert_int_equal(r.err_len, 1000);
    assert_true(r.out_truncated && r.err_truncated);
    assert_memory_equal(r.out, "out\nout\n", 8);
    assert_memory_equal(r.err, "err\nerr\n", 8);
    exec_result_free(&r);

    o.max_output = 0;
    run_sh("echo hidden", &o, &r);
    assert_int_equal(r.out_len, 0);
    assert_string_equal(r.out, "");
    assert_true(r.out_truncated);
    exec_result_free(&r);
}

static void test_stdin(void **state)
{
    ExecResult r;
    run_sh("cat; echo end", NULL, &r); /* default /dev/null: EOF at once */
    assert_string_equal(r.out, "end\n");
    exec_result_free(&r);

    ExecOpts o;
    exec_opts_init(&o);
    o.stdin_data = "line1\nline2\0x";
    o.stdin_len = 13;
    run_sh("cat", &o, &r);
    assert_int_equal(r.out_len, 13);
    assert_memory_equal(r.out, "line1\nline2\0x", 13);
    exec_result_free(&r);

    /* 3 MB through cat: more than any pipe buffer, fed while reading. */
    size_t n = 3000000;
    char *big = malloc(n);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++) {
        big[i] = (char)('a' + i % 26);
    }
    o.stdin_data = big;
    o.stdin_len = n;
    o.max_output = 4u << 20;
    run_sh("cat", &o, &r);
    assert_int_equal(r.out_len, n);
    assert_memory_equal(r.out, big, n);
    exec_result_free(&r);

    /* A child that never reads: our write gets EPIPE, never SIGPIPE. */
    sigset_t pending;
    run_sh("exit 0", &o, &r);
    assert_true(r.exited && r.status == 0);
    sigpending(&pending);
    assert_false(sigismember(&pending, SIGPIPE));
    exec_result_free(&r);
    free(big);
}

static void test_environment(void **state)
{
    setenv("UNENTROPY_T_KEEP", "kept", 1);
    setenv("UNENTROPY_T_REPLACE", "old", 1);
    setenv("UNENTROPY_T_REMOVE", "gone?", 1);
    ExecEnvVar env[] = {
        {"UNENTROPY_T_ADD", "added"},
        {"UNENTROPY_T_REPLACE", "new"},
        {"UNENTROPY_T_REMOVE", NULL},
    };
    ExecOpts o;
    exec_opts_init(&o);
    o.env = env;
    o.n_env = 3;
    ExecResult r;
    run_sh("echo \"$UNENTROPY_T_KEEP,$UNENTROPY_T_ADD,$UNENTROPY_T_REPLACE,"
           "${UNENTROPY_T_REMOVE-unset}\"",
           &o, &r);
    assert_string_equal(r.out, "kept,added,new,unset\n");
    exec_result_free(&r);

    o.clear_env = 1;
    o.n_env = 1;
    const char *argv[] = {"/usr/bin/env", NULL};
    o.argv = argv;
    char err[256];
    assert_int_equal(exec_run(&o, &r, err, sizeof err), 0);
    assert_string_equal(r.out, "UNENTROPY_T_ADD=added\n");
    exec_result_free(&r);

    o.n_env = 0; /* cleared, nothing added: PATH lookup falls back */
    assert_int_equal(exec_run(&o, &r, err, sizeof err), 0);
    assert_string_equal(r.out, "");
    exec_result_free(&r);
    unsetenv("UNENTROPY_T_KEEP");
    unsetenv("UNENTROPY_T_REPLACE");
    unsetenv("UNENTROPY_T_REMOVE");
}

static void test_cwd(void **state)
{
    ExecOpts o;
    exec_opts_init(&o);
    o.cwd = tmpdir;
    ExecResult r;
    run_sh("pwd -P", &o, &r);
    char expect[PATH_MAX + 2];
    assert_non_null(realpath(tmpdir, expect));
    strcat(expect, "\n");
    assert_string_equal(r.out, expect);
    exec_result_free(&r);
}

static void test_drain_bounded(void **state)
{
    char cmd[256], pidfile[128];
    snprintf(pidfile, sizeof pidfile, "%s/bg", tmpdir);
    snprintf(cmd, sizeof cmd, "sleep 100 & echo $! > %s; echo started", pidfile);
    ExecOpts o;
    exec_opts_init(&o);
    o.drain_ms = 300;
    ExecResult r;
    run_sh(cmd, &o, &r);
    assert_true(r.exited && r.status == 0);
    assert_false(r.timed_out);
    assert_string_equal(r.out, "started\n");
    assert_true(r.duration_ms >= 280 && r.duration_ms < 8000);
    exec_result_free(&r);
    long pid;
    assert_int_equal(read_pids(pidfile, &pid, 1), 1);
    assert_true(process_gone(pid));

    /* A background process with its output elsewhere is still killed, but
     * costs no drain time. */
    snprintf(cmd, sizeof cmd, "sleep 100 >/dev/null 2>&1 & echo $! > %s", pidfile);
    o.drain_ms = 5000;
    run_sh(cmd, &o, &r);
    assert_true(r.duration_ms < 8000);
    exec_result_free(&r);
    assert_int_equal(read_pids(pidfile, &pid, 1), 1);
    assert_true(process_gone(pid));
}

static void test_duration(void **state)
{
    ExecResult r;
    run_sh("sleep 0.2", NULL, &r);
    assert_true(r.duration_ms >= 190 && r.duration_ms < 8000);
    exec_result_free(&r);
}

static void test_no_pidfd_fallback(void **state)
{
    ExecOpts o;
    exec_opts_init(&o);
    o.no_pidfd = 1;
    ExecResult r;
    run_sh("sleep 0.1; echo x; exit 7", &o, &r);
    assert_int_equal(r.status, 7);
    assert_string_equal(r.out, "x\n");
    exec_result_free(&r);
    o.timeout_ms = 150;
    run_sh("exec 1>&- 2>&-; sleep 100", &o, &r);
    assert_true(r.timed_out);
    assert_int_equal(r.signal, SIGTERM);
    assert_true(r.duration_ms < 10000);
    exec_result_free(&r);
}

/* The child starts with default dispositions and an empty mask even when
 * we ignore SIGPIPE and block SIGTERM. */
static void test_child_signal_defaults(void **state)
{
    struct sigaction ign = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGPIPE, &ign, &old);
    sigset_t term, saved;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &saved);
    ExecResult r;
    run_sh("kill -PIPE $$; echo survived", NULL, &r);
    assert_int_equal(r.signal, SIGPIPE);
    assert_string_equal(r.out, "");
    exec_result_free(&r);
    run_sh("kill -TERM $$; echo survived", NULL, &r);
    assert_int_equal(r.signal, SIGTERM);
    exec_result_free(&r);
    sigprocmask(SIG_SETMASK, &saved, NULL);
    sigaction(SIGPIPE, &old, NULL);
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig)
{
    alarms++;
}

static void test_eintr(void **state)
{
    struct sigaction sa = {.sa_handler = on_alarm}, old; /* no SA_RESTART */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &old);
    struct itimerval it = {{0, 2000}, {0, 2000}}, off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &it, NULL);
    ExecOpts o;
    exec_opts_init(&o);
    o.stdin_data = "ping";
    o.stdin_len = 4;
    ExecResult r;
    run_sh("sleep 0.2; cat; echo done >&2", &o, &r);
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &old, NULL);
    assert_true(alarms > 10);
    assert_true(r.exited && r.status == 0);
    assert_string_equal(r.out, "ping");
    assert_string_equal(r.err, "done\n");
    exec_result_free(&r);
}

static void test_no_fd_leaks(void **state)
{
    int before = count_fds();
    ExecOpts o;
    exec_opts_init(&o);
    o.stdin_data = "x";
    o.stdin_len = 1;
    o.timeout_ms = 100;
    ExecResult r;
    run_sh("cat >/dev/null; ls /proc/$$/fd; sleep 1", &o, &r);
    assert_true(r.timed_out);
    assert_string_equal(r.out, "0\n1\n2\n"); /* nothing of ours leaks */
    exec_result_free(&r);
    assert_int_equal(count_fds(), before);
    assert_no_children();
}

static int setup(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/unentropy-exec.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_huge_output_bounded), /* first: cleanest RSS peak */
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_argv_path_lookup_and_capture),
        cmocka_unit_test(test_signal),
        cmocka_unit_test(test_signal_names),
        cmocka_unit_test(test_start_failures),
        cmocka_unit_test(test_timeout_kills_grandchildren),
        cmocka_unit_test(test_sigterm_ignored_gets_sigkill),
        cmocka_unit_test(test_both_streams_large),
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_environment),
        cmocka_unit_test(test_cwd),
        cmocka_unit_test(test_drain_bounded),
        cmocka_unit_test(test_duration),
        cmocka_unit_test(test_no_pidfd_fallback),
        cmocka_unit_test(test_child_signal_defaults),
        cmocka_unit_test(test_eintr),
        cmocka_unit_test(test_no_fd_leaks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
