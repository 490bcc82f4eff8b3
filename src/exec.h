/* exec.h: run a child process to completion with bounded output capture.
 * The child gets its own process group, stdin from a string or /dev/null,
 * default signal dispositions and mask; stdout and stderr are read
 * concurrently with poll(); a timeout sends SIGTERM then SIGKILL to the whole
 * group. Pure POSIX C (Linux pidfd when available), no Lua. */
#ifndef UNENTROPY_EXEC_H
#define UNENTROPY_EXEC_H

#include <stddef.h>

#define EXEC_DEFAULT_KILL_GRACE_MS 2000.0
#define EXEC_DEFAULT_MAX_OUTPUT    ((size_t)1 << 20)
#define EXEC_DEFAULT_DRAIN_MS      1000.0

/* One environment change: value NULL removes the variable. */
typedef struct ExecEnvVar {
    const char *name;
    const char *value;
} ExecEnvVar;

/* Options. Every pointer is borrowed for the duration of exec_run only. */
typedef struct ExecOpts {
    const char *const *argv;   /* NULL-terminated, argv[0] searched in PATH */
    const char *cwd;           /* NULL: inherit */
    const ExecEnvVar *env;     /* changes applied in order; later wins */
    size_t n_env;
    int clear_env;             /* start from an empty environment */
    const char *stdin_data;    /* NULL: stdin is /dev/null */
    size_t stdin_len;
    double timeout_ms;         /* <= 0: no timeout */
    double kill_grace_ms;      /* SIGTERM -> SIGKILL delay after a timeout */
    size_t max_output;         /* bytes kept per stream; the rest is dropped */
    double drain_ms;           /* read on after the child exits, then SIGKILL */
    int no_pidfd;              /* testing: detect the exit by polling */
} ExecOpts;

/* Outcome of a run that started. out/err are NUL-terminated (the NUL is not
 * counted in the lengths) and owned by the result: free with
 * exec_result_free. */
typedef struct ExecResult {
    int exited;                /* 1: normal exit, status valid */
    int status;                /* exit code when exited */
    int signal;                /* terminating signal, 0 when exited */
    int timed_out;
    char *out;
    size_t out_len;
    int out_truncated;
    char *err;
    size_t err_len;
    int err_truncated;
    double duration_ms;
} ExecResult;

/* Fills o with the defaults: no argv, inherit cwd and environment, no stdin,
 * no timeout, EXEC_DEFAULT_* for the rest. */
void exec_opts_init(ExecOpts *o);

/* Runs o->argv and waits for it (and at most drain_ms for whatever still
 * holds its output pipes). Returns 0 and fills *r (caller frees with
 * exec_result_free) when the child ran, whatever its exit status. Returns an
 * errno value and writes "exec: cannot run 'prog': reason" into errbuf when
 * it could not start (bad cwd, program not found, out of fds or memory);
 * *r is then zeroed and needs no freeing. Blocks SIGPIPE while it runs.
 * Needs SIGCHLD not to be ignored (SIG_IGN would auto-reap the child).
 * On Linux it makes the process a child subreaper (PR_SET_CHILD_SUBREAPER)
 * so that the group's orphans are reaped here: once it returns, nothing of
 * the group is left, not even a zombie. */
int exec_run(const ExecOpts *o, ExecResult *r, char *errbuf, size_t errlen);

/* Frees the buffers of r and zeroes it; safe to call twice. */
void exec_result_free(ExecResult *r);

/* Name of signal sig ("SIGTERM", "SIGRTMIN+2"), or NULL when sig is not a
 * signal number. The returned string is static or written into buf
 * (at least 16 bytes). */
const char *exec_signal_name(int sig, char *buf, size_t len);

#endif
