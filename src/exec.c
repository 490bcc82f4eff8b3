/* exec.c: run a child process to completion (see exec.h). fork + execvp
 * with a CLOEXEC status pipe that reports chdir/exec failures, a poll() loop
 * over stdout, stderr, stdin and (on Linux) a pidfd, and process-group kills
 * for timeouts and leftovers. The child's exit is detected with
 * waitid(WNOWAIT) so it stays unreaped, and its pid cannot be reused, until
 * the group has been killed; as a child subreaper (Linux) we then reap the
 * killed grandchildren too. Depends on POSIX (+ Linux pidfd, prctl). */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"

extern char **environ;

#define CHUNK       65536
#define NEVER       HUGE_VAL
#define STAGE_CHDIR 1
#define STAGE_EXEC  2
#define REAP_MS     1000.0

/* What the child writes to the status pipe when it cannot exec. */
typedef struct ChildReport {
    int stage;
    int err;
} ChildReport;

/* One captured output stream. */
typedef struct Stream {
    int fd;
    char *buf;
    size_t len;
    size_t cap;
    int truncated;
} Stream;

void exec_opts_init(ExecOpts *o)
{
    memset(o, 0, sizeof *o);
    o->kill_grace_ms = EXEC_DEFAULT_KILL_GRACE_MS;
    o->max_output = EXEC_DEFAULT_MAX_OUTPUT;
    o->drain_ms = EXEC_DEFAULT_DRAIN_MS;
}

void exec_result_free(ExecResult *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/* Moves *fd above 2 so the child's dup2 onto 0..2 never clobbers a source. */
static int fd_above_stdio(int *fd)
{
    if (*fd < 0 || *fd > 2) {
        return 0;
    }
    int nfd = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
    if (nfd < 0) {
        return errno;
    }
    close(*fd);
    *fd = nfd;
    return 0;
}

static void set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) {
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    }
}

/* ---- environment -------------------------------------------------------- */

static int env_name_ok(const char *name)
{
    return name && name[0] != '\0' && strchr(name, '=') == NULL;
}

static void env_remove(char **envp, size_t *n, const char *name)
{
    size_t nlen = strlen(name), j = 0;
    for (size_t i = 0; i < *n; i++) {
        if (!(strncmp(envp[i], name, nlen) == 0 && envp[i][nlen] == '=')) {
            envp[j++] = envp[i];
        }
    }
    *n = j;
    envp[j] = NULL;
}

/* Builds the child's environment into *envp (pointer array) and *arena
 * (the NAME=value strings it added); both freed by the caller. Leaves both
 * NULL when the inherited environment is used unchanged. */
static int build_env(const ExecOpts *o, char ***envp, char **arena)
{
    *envp = NULL;
    *arena = NULL;
    if (!o->clear_env && o->n_env == 0) {
        return 0;
    }
    size_t base = 0, bytes = 0;
    if (!o->clear_env) {
        while (environ && environ[base]) {
            base++;
        }
    }
    for (size_t i = 0; i < o->n_env; i++) {
        if (!env_name_ok(o->env[i].name)) {
            return EINVAL;
        }
        if (o->env[i].value) {
            bytes += strlen(o->env[i].name) + strlen(o->env[i].value) + 2;
        }
    }
    char **e = malloc((base + o->n_env + 1) * sizeof *e);
    char *a = malloc(bytes ? bytes : 1);
    if (!e || !a) {
        free(e);
        free(a);
        return ENOMEM;
    }
    size_t n = base;
    memcpy(e, environ, base * sizeof *e);
    e[n] = NULL;
    char *p = a;
    for (size_t i = 0; i < o->n_env; i++) {
        env_remove(e, &n, o->env[i].name);
        if (o->env[i].value) {
            int w = sprintf(p, "%s=%s", o->env[i].name, o->env[i].value);
            e[n++] = p;
            e[n] = NULL;
            p += w + 1;
        }
    }
    *envp = e;
    *arena = a;
    return 0;
}

/* ---- the child (between fork and exec: async-signal-safe calls only) ---- */

static _Noreturn void child_fail(int st_fd, int stage)
{
    ChildReport rep = {stage, errno};
    ssize_t n;
    do {
        n = write(st_fd, &rep, sizeof rep);
    } while (n < 0 && errno == EINTR);
    _exit(127);
}

static _Noreturn void child(const ExecOpts *o, char **envp, const int fds[3], int st_fd)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (int s = 1; s < NSIG; s++) {
        if (s != SIGKILL && s != SIGSTOP) {
            sigaction(s, &sa, NULL); /* fails harmlessly for reserved ones */
        }
    }
    setpgid(0, 0);
    for (int i = 0; i < 3; i++) {
        if (dup2(fds[i], i) < 0) {
            child_fail(st_fd, STAGE_EXEC);
        }
    }
#if defined(SYS_close_range)
    /* Descriptors other modules forgot to mark CLOEXEC stay with us. */
    syscall(SYS_close_range, 3u, ~0u, 4u /* CLOSE_RANGE_CLOEXEC */);
#endif
    if (o->cwd && chdir(o->cwd) != 0) {
        child_fail(st_fd, STAGE_CHDIR);
    }
    if (envp) {
        environ = envp; /* execvp searches the child's own PATH */
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execvp(o->argv[0], (char *const *)o->argv);
    child_fail(st_fd, STAGE_EXEC);
}

/* ---- capture ------------------------------------------------------------ */

static int stream_init(Stream *s, size_t max)
{
    s->fd = -1;
    s->len = 0;
    s->truncated = 0;
    s->cap = max < 4096 ? max : 4096;
    s->buf = malloc(s->cap + 1);
    return s->buf ? 0 : ENOMEM;
}

static void stream_append(Stream *s, const char *data, size_t n, size_t max)
{
    size_t keep = s->len < max ? max - s->len : 0;
    if (n > keep) {
        s->truncated = 1;
        n = keep;
    }
    if (s->len + n > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + n) {
            cap = cap > max / 2 ? max : cap * 2;
        }
        char *nb = realloc(s->buf, cap + 1);
        if (nb == NULL) { /* keep what fits; the run goes on */
            s->truncated = 1;
            n = s->cap - s->len;
        } else {
            s->buf = nb;
            s->cap = cap;
        }
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
}

/* Reads once from a readable stream; closes it at EOF or on error. */
static void stream_read(Stream *s, size_t max)
{
    char chunk[CHUNK];
    ssize_t n = read(s->fd, chunk, sizeof chunk);
    if (n > 0) {
        stream_append(s, chunk, (size_t)n, max);
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
        close_fd(&s->fd);
    }
}

/* ---- waiting ------------------------------------------------------------ */

/* 1 once pid has terminated; it is left unreaped (a zombie). */
static int child_exited(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int rc;
    do {
        rc = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        return 1; /* ECHILD: someone else reaped it (SIGCHLD ignored) */
    }
    return si.si_pid == pid;
}

static int open_pidfd(pid_t pid, int disabled)
{
#if defined(SYS_pidfd_open)
    if (!disabled) {
        return (int)syscall(SYS_pidfd_open, pid, 0); /* CLOEXEC by default */
    }
#endif
    return -1;
}

static int ms_until(double when, double now)
{
    if (when == NEVER) {
        return -1;
    }
    double d = ceil(when - now);
    return d <= 0 ? 0 : d > INT_MAX ? INT_MAX : (int)d;
}

/* Makes us the reaper of our children's orphans (Linux), so the members of
 * a killed group come back to us and reap_group can make them really gone,
 * instead of zombies waiting on a lazy init. Returns 1 when active. */
static int become_subreaper(void)
{
#if defined(PR_SET_CHILD_SUBREAPER)
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
#else
    return 0;
#endif
}

/* Reaps what is left of group pgid after its SIGKILL: members reparented to
 * us. Waits at most REAP_MS for them to die (a process in uninterruptible
 * sleep can take a while); only other groups' processes are never touched. */
static void reap_group(pid_t pgid)
{
    double until = now_ms() + REAP_MS;
    while (kill(-pgid, 0) == 0 && now_ms() < until) {
        while (waitpid(-pgid, NULL, WNOHANG) > 0) {
        }
        if (kill(-pgid, 0) == 0) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
}

typedef struct Run {
    pid_t pid;
    int pidfd;
    int in_fd;
    size_t in_off;
    int got_epipe;
    Stream out, err;
    int timed_out;
} Run;

/* The poll loop: feed stdin, capture output, enforce timeout and drain. */
static void supervise(const ExecOpts *o, Run *run, double start)
{
    double deadline = o->timeout_ms > 0 ? start + o->timeout_ms : NEVER;
    double kill_at = NEVER, drain_end = NEVER;
    int exited = 0, term_sent = 0, kill_sent = 0, backoff = 1;

    for (;;) {
        double now = now_ms();
        if (!exited && child_exited(run->pid)) {
            exited = 1;
            close_fd(&run->pidfd);
            drain_end = now + o->drain_ms;
            if (term_sent && kill_at < drain_end) {
                drain_end = kill_at; /* a timed-out run gets no extra time */
            }
        }
        if (!exited && !term_sent && now >= deadline) {
            run->timed_out = term_sent = 1;
            kill(-run->pid, SIGTERM);
            kill_at = now + o->kill_grace_ms;
        }
        if (!exited && term_sent && !kill_sent && now >= kill_at) {
            kill_sent = 1;
            kill(-run->pid, SIGKILL);
        }
        if (exited && ((run->out.fd < 0 && run->err.fd < 0) || now >= drain_end)) {
            return;
        }

        struct pollfd pf[4];
        int np = 0, i_out = -1, i_err = -1, i_in = -1;
        if (run->out.fd >= 0) {
            i_out = np;
            pf[np++] = (struct pollfd){run->out.fd, POLLIN, 0};
        }
        if (run->err.fd >= 0) {
            i_err = np;
            pf[np++] = (struct pollfd){run->err.fd, POLLIN, 0};
        }
        if (run->in_fd >= 0) {
            i_in = np;
            pf[np++] = (struct pollfd){run->in_fd, POLLOUT, 0};
        }
        if (run->pidfd >= 0) {
            pf[np++] = (struct pollfd){run->pidfd, POLLIN, 0};
        }
        double wake = exited ? drain_end : !term_sent ? deadline : !kill_sent ? kill_at : NEVER;
        if (!exited && run->pidfd < 0) { /* no pidfd: poll for the exit */
            wake = fmin(wake, now + backoff);
            backoff = backoff < 50 ? backoff * 2 : 50;
        }
        if (poll(pf, (nfds_t)np, ms_until(wake, now)) < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            return; /* cannot wait any more: the caller kills the group */
        }
        if (i_out >= 0 && pf[i_out].revents) {
            stream_read(&run->out, o->max_output);
        }
        if (i_err >= 0 && pf[i_err].revents) {
            stream_read(&run->err, o->max_output);
        }
        if (i_in >= 0 && pf[i_in].revents) {
            size_t left = o->stdin_len - run->in_off;
            ssize_t n = write(run->in_fd, o->stdin_data + run->in_off, left < CHUNK ? left : CHUNK);
            if (n > 0) {
                run->in_off += (size_t)n;
            } else if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
                run->got_epipe |= errno == EPIPE;
                close_fd(&run->in_fd);
            }
            if (run->in_fd >= 0 && run->in_off == o->stdin_len) {
                close_fd(&run->in_fd);
            }
        }
    }
}

/* ---- exec_run ----------------------------------------------------------- */

static int open_pipe(int p[2])
{
    return pipe2(p, O_CLOEXEC) == 0 ? 0 : errno;
}

int exec_run(const ExecOpts *o, ExecResult *r, char *errbuf, size_t errlen)
{
    memset(r, 0, sizeof *r);
    const char *prog = o->argv && o->argv[0] ? o->argv[0] : "";
    char **envp = NULL, *arena = NULL;
    int in_p[2] = {-1, -1}, out_p[2] = {-1, -1}, err_p[2] = {-1, -1}, st_p[2] = {-1, -1};
    Run run = {.pid = -1, .pidfd = -1, .in_fd = -1};
    ChildReport rep = {STAGE_EXEC, 0};
    const char *why = NULL; /* reason when it is not strerror(rc) */
    int rc = 0;

    if (prog[0] == '\0') {
        rc = EINVAL;
        why = "empty argv";
        goto fail;
    }
    if ((rc = build_env(o, &envp, &arena)) != 0) {
        why = rc == EINVAL ? "invalid environment variable name" : NULL;
        goto fail;
    }
    if ((rc = stream_init(&run.out, o->max_output)) || (rc = stream_init(&run.err, o->max_output))) {
        goto fail;
    }
    if ((rc = open_pipe(out_p)) || (rc = open_pipe(err_p)) || (rc = open_pipe(st_p))) {
        goto fail;
    }
    if (o->stdin_data) {
        rc = open_pipe(in_p);
    } else if ((in_p[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
        rc = errno;
    }
    int *all[] = {&in_p[0], &in_p[1], &out_p[0], &out_p[1], &err_p[0], &err_p[1], &st_p[0], &st_p[1]};
    for (size_t i = 0; rc == 0 && i < sizeof all / sizeof all[0]; i++) {
        rc = fd_above_stdio(all[i]);
    }
    if (rc) {
        goto fail;
    }

    int subreaper = become_subreaper();

    /* Block every signal across fork so no handler of ours runs in the child
     * before it has reset the dispositions. */
    sigset_t block, saved;
    sigfillset(&block);
    sigprocmask(SIG_SETMASK, &block, &saved);
    double start = now_ms();
    run.pid = fork();
    if (run.pid == 0) {
        const int fds[3] = {in_p[0], out_p[1], err_p[1]};
        close(st_p[0]);
        child(o, envp, fds, st_p[1]);
    }
    rc = run.pid < 0 ? errno : 0;
    sigprocmask(SIG_SETMASK, &saved, NULL);
    if (rc) {
        goto fail;
    }
    setpgid(run.pid, run.pid); /* also done by the child: no race on kill */
    close_fd(&in_p[0]);
    close_fd(&out_p[1]);
    close_fd(&err_p[1]);
    close_fd(&st_p[1]);

    ssize_t n;
    do {
        n = read(st_p[0], &rep, sizeof rep);
    } while (n < 0 && errno == EINTR);
    close_fd(&st_p[0]);
    if (n == (ssize_t)sizeof rep) { /* chdir or exec failed; child exits */
        int st;
        while (waitpid(run.pid, &st, 0) < 0 && errno == EINTR) {
        }
        rc = rep.err ? rep.err : ENOEXEC;
        goto fail;
    }

    run.pidfd = open_pidfd(run.pid, o->no_pidfd);
    run.out.fd = out_p[0];
    run.err.fd = err_p[0];
    run.in_fd = in_p[1];
    out_p[0] = err_p[0] = in_p[1] = -1;
    set_nonblock(run.out.fd);
    set_nonblock(run.err.fd);
    if (run.in_fd >= 0) {
        set_nonblock(run.in_fd);
        if (o->stdin_len == 0) {
            close_fd(&run.in_fd);
        }
    }

    /* A child that stops reading stdin must not kill us with SIGPIPE: block
     * it while feeding, and swallow the one our write raised. */
    sigset_t pipeset, pending;
    sigemptyset(&pipeset);
    sigaddset(&pipeset, SIGPIPE);
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE);
    sigprocmask(SIG_BLOCK, &pipeset, &saved);
    supervise(o, &run, start);
    if (run.got_epipe && !was_pending) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipeset, NULL, &zero) < 0 && errno == EINTR) {
        }
    }
    sigprocmask(SIG_SETMASK, &saved, NULL);

    kill(-run.pid, SIGKILL); /* leftovers; the zombie leader keeps the group */
    close_fd(&run.out.fd);
    close_fd(&run.err.fd);
    close_fd(&run.in_fd);
    close_fd(&run.pidfd);
    int st = 0;
    pid_t w;
    do {
        w = waitpid(run.pid, &st, 0);
    } while (w < 0 && errno == EINTR);
    r->duration_ms = now_ms() - start;
    if (subreaper) {
        reap_group(run.pid);
    }
    if (w == run.pid && WIFEXITED(st)) {
        r->exited = 1;
        r->status = WEXITSTATUS(st);
    } else if (w == run.pid && WIFSIGNALED(st)) {
        r->signal = WTERMSIG(st);
    }
    r->timed_out = run.timed_out;
    run.out.buf[run.out.len] = '\0';
    run.err.buf[run.err.len] = '\0';
    r->out = run.out.buf;
    r->out_len = run.out.len;
    r->out_truncated = run.out.truncated;
    r->err = run.err.buf;
    r->err_len = run.err.len;
    r->err_truncated = run.err.truncated;
    free(envp);
    free(arena);
    return 0;

fail:
    if (rep.stage == STAGE_CHDIR) {
        snprintf(errbuf, errlen, "exec: cannot run '%s' in '%s': %s", prog, o->cwd, strerror(rc));
    } else {
        snprintf(errbuf, errlen, "exec: cannot run '%s': %s", prog, why ? why : strerror(rc));
    }
    for (int i = 0; i < 2; i++) {
        close_fd(&in_p[i]);
        close_fd(&out_p[i]);
        close_fd(&err_p[i]);
        close_fd(&st_p[i]);
    }
    free(run.out.buf);
    free(run.err.buf);
    free(envp);
    free(arena);
    memset(r, 0, sizeof *r);
    return rc;
}

/* ---- signal names ------------------------------------------------------- */

static const struct {
    int sig;
    const char *name;
} signames[] = {
    {SIGHUP, "SIGHUP"},       {SIGINT, "SIGINT"},       {SIGQUIT, "SIGQUIT"},
    {SIGILL, "SIGILL"},       {SIGTRAP, "SIGTRAP"},     {SIGABRT, "SIGABRT"},
    {SIGBUS, "SIGBUS"},       {SIGFPE, "SIGFPE"},       {SIGKILL, "SIGKILL"},
    {SIGUSR1, "SIGUSR1"},     {SIGSEGV, "SIGSEGV"},     {SIGUSR2, "SIGUSR2"},
    {SIGPIPE, "SIGPIPE"},     {SIGALRM, "SIGALRM"},     {SIGTERM, "SIGTERM"},
    {SIGCHLD, "SIGCHLD"},     {SIGCONT, "SIGCONT"},     {SIGSTOP, "SIGSTOP"},
    {SIGTSTP, "SIGTSTP"},     {SIGTTIN, "SIGTTIN"},     {SIGTTOU, "SIGTTOU"},
    {SIGURG, "SIGURG"},       {SIGXCPU, "SIGXCPU"},     {SIGXFSZ, "SIGXFSZ"},
    {SIGVTALRM, "SIGVTALRM"}, {SIGPROF, "SIGPROF"},     {SIGWINCH, "SIGWINCH"},
    {SIGSYS, "SIGSYS"},
#ifdef SIGSTKFLT
    {SIGSTKFLT, "SIGSTKFLT"},
#endif
#ifdef SIGIO
    {SIGIO, "SIGIO"},
#endif
#ifdef SIGPWR
    {SIGPWR, "SIGPWR"},
#endif
#ifdef SIGEMT
    {SIGEMT, "SIGEMT"},
#endif
#ifdef SIGINFO
    {SIGINFO, "SIGINFO"},
#endif
};

const char *exec_signal_name(int sig, char *buf, size_t len)
{
    for (size_t i = 0; i < sizeof signames / sizeof signames[0]; i++) {
        if (signames[i].sig == sig) {
            return signames[i].name;
        }
    }
#if defined(SIGRTMIN) && defined(SIGRTMAX)
    if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
        if (sig == SIGRTMIN) {
            snprintf(buf, len, "SIGRTMIN");
        } else {
            snprintf(buf, len, "SIGRTMIN+%d", sig - SIGRTMIN);
        }
        return buf;
    }
#endif
    if (sig > 0 && sig < NSIG) {
        snprintf(buf, len, "SIG%d", sig);
        return buf;
    }
    return NULL;
}
