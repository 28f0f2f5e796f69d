/*
 * drydock-run: the launcher behind Drydock's `chroot` isolation for RUN.
 *
 * Namespaces cannot be entered from the (multi-threaded) .NET build process, so this small,
 * single-threaded, statically linked program does it instead:
 *
 *   launcher (host pid ns)           unshare(mount, pid, ipc, uts[, net]); make every mount
 *     |                              private; forward SIGTERM/SIGINT/SIGHUP/SIGQUIT; exit with the
 *     |                              status
 *     +-- init (pid 1 of the new ns) mount the rootfs, /proc, /sys, /dev and the binds, overlays
 *           |                        and tmpfs; mask /proc and /sys as Docker does; pivot_root;
 *           |                        chdir; take Docker's default confinement (mounts.c,
 *           |                        confine.c); reap orphans; exit with the command's status,
 *           |                        which makes the kernel kill whatever the command left behind
 *           +-- command (pid 2)      setgroups, setgid, setuid; stdin=/dev/null; exec
 *
 * Usage:
 *   drydock-run --root DIR [--cwd DIR] [--uid N] [--gid N] [--groups N,N,...] [--hostname NAME]
 *               [--env K=V]... [--env-stdin] [--merge-stderr] [--net-none] [--insecure] [--in-place]
 *               [--proc TARGET] [--sys TARGET] [--dev TARGET]
 *               [--ro-bind SOURCE TARGET]... [--bind SOURCE TARGET]...
 *               [--overlay LOWER UPPER WORK TARGET]... [--tmpfs TARGET SIZE]...
 *               -- COMMAND [ARG]...
 *
 * Mount targets are absolute host paths inside --root, applied in the order given (see mounts.c
 * for how they are kept inside it). The caller creates the mount points in the root and removes
 * them afterwards.
 *
 * --bind mounts SOURCE read-write: writes reach it. --overlay mounts LOWER with writes going to
 * UPPER (WORK is overlayfs' scratch directory on the same file system), so the caller can throw
 * them away. --tmpfs mounts an empty tmpfs of at most SIZE bytes (0: the kernel's default).
 * Binds and overlays never honour setuid bits or device nodes.
 *
 * Every command gets what a Docker container gets and no more: its 14 default capabilities, its
 * default seccomp profile, /proc and /sys masked and read-only where Docker makes them so, and
 * device nodes that cannot be opened unless they are the few /dev provides. --insecure (BuildKit's
 * `RUN --security=insecure`, which the caller grants only when the build allows it) lifts all of
 * that: every capability of the caller, no seccomp filter, /proc and /sys as the kernel shows them.
 * The namespaces and the pivot into the rootfs stay.
 *
 * --net-none gives the command a network namespace of its own with only the loopback interface
 * (up), and a /sys that shows that namespace's devices.
 *
 * --env-stdin reads the environment from stdin as NUL-terminated KEY=VALUE entries ended by an
 * empty entry, which keeps secrets out of argv (and `ps`) and has no argv size limit. The caller
 * then keeps stdin open as a lifeline: if it closes (the caller cancelled or died), the command is
 * killed. PR_SET_PDEATHSIG is deliberately not used against the caller, because it fires when the
 * caller's forking *thread* exits, which in a thread-pooled runtime is not the caller's death.
 *
 * --merge-stderr sends the command's stderr to stdout so its output keeps its order; the
 * launcher's own stderr then carries only launcher errors.
 *
 * --in-place runs the command where Drydock itself runs, for a container that refuses namespaces
 * (kaniko's way): no namespace but a network one for --net-none, no mount, no pivot; a chroot only
 * when --root is not "/". The command still gets its working directory, user, groups and exactly
 * the given environment, and Docker's confinement as far as the container allows (confine.c). It
 * runs in a process group of its own, killed as a whole when it exits. No mount options then.
 *
 * `drydock-run --probe` only tells whether the namespaces and mounts the chroot isolation needs are
 * allowed here: exit 0 if so, else 1 with the refusal on stderr. It changes nothing.
 *
 * Exit status: the command's, or 128+N if signal N killed it; 127 when the command is not found,
 * 126 when it cannot be executed (message on the command's stderr); 125 when the sandbox could not
 * be set up (message on the launcher's stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "confine.h"
#include "mounts.h"
#include "report.h"

#define MAX_MOUNTS 128
#define MAX_GROUPS 256
#define MAX_ENV_BYTES (64u << 20)
#define MAX_ENV_ENTRIES 65536

/* The PATH a command is looked up in when its environment has none (Docker's default). */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

struct options {
    const char *root;
    const char *cwd;
    uid_t uid;
    gid_t gid;
    gid_t groups[MAX_GROUPS];
    size_t group_count;
    const char *hostname;
    bool env_stdin;
    bool merge_stderr;
    bool net_none;
    bool insecure;
    bool in_place;
    char **env;
    size_t env_count;
    size_t env_capacity;
    struct mount_op mounts[MAX_MOUNTS];
    size_t mount_count;
    char **argv;
};

static void usage(void)
{
    die(EXIT_SETUP,
        "usage: drydock-run --root DIR [--cwd DIR] [--uid N] [--gid N] [--groups N,...] "
        "[--hostname NAME] [--env K=V]... [--env-stdin] [--merge-stderr] [--net-none] [--insecure] [--in-place] [--proc T] [--sys T] "
        "[--dev T] [--ro-bind SRC T]... [--bind SRC T]... [--overlay LOWER UPPER WORK T]... [--tmpfs T SIZE]... "
        "-- COMMAND [ARG]...");
}

static uint64_t parse_number(const char *what, const char *text, uint64_t limit)
{
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || value >= limit) {
        die(EXIT_SETUP, "invalid %s \"%s\"", what, text);
    }
    return (uint64_t)value;
}

static uint32_t parse_id(const char *what, const char *text)
{
    return (uint32_t)parse_number(what, text, UINT32_MAX);
}

static void add_env(struct options *o, char *entry)
{
    if (o->env_count + 2 > o->env_capacity) {
        size_t capacity = o->env_capacity ? o->env_capacity * 2 : 32;
        char **grown = realloc(o->env, capacity * sizeof *grown);
        if (!grown) {
            die(EXIT_SETUP, "out of memory reading the environment");
        }
        o->env = grown;
        o->env_capacity = capacity;
    }
    o->env[o->env_count++] = entry;
    o->env[o->env_count] = NULL;
}

static void add_mount(struct options *o, struct mount_op op)
{
    if (o->mount_count == MAX_MOUNTS) {
        die(EXIT_SETUP, "too many mounts (at most %d)", MAX_MOUNTS);
    }
    o->mounts[o->mount_count++] = op;
}

static void parse_groups(struct options *o, const char *text)
{
    char *copy = strdup(text);
    if (!copy) {
        die(EXIT_SETUP, "out of memory");
    }
    for (char *save = NULL, *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        if (o->group_count == MAX_GROUPS) {
            die(EXIT_SETUP, "too many supplementary groups (at most %d)", MAX_GROUPS);
        }
        o->groups[o->group_count++] = parse_id("group id", part);
    }
    free(copy);
}

static void parse_args(struct options *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->cwd = "/";
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        bool has1 = i + 1 < argc;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (strcmp(a, "--root") == 0 && has1) {
            o->root = argv[++i];
        } else if (strcmp(a, "--cwd") == 0 && has1) {
            o->cwd = argv[++i];
        } else if (strcmp(a, "--uid") == 0 && has1) {
            o->uid = parse_id("uid", argv[++i]);
        } else if (strcmp(a, "--gid") == 0 && has1) {
            o->gid = parse_id("gid", argv[++i]);
        } else if (strcmp(a, "--groups") == 0 && has1) {
            parse_groups(o, argv[++i]);
        } else if (strcmp(a, "--hostname") == 0 && has1) {
            o->hostname = argv[++i];
        } else if (strcmp(a, "--env") == 0 && has1) {
            add_env(o, argv[++i]);
        } else if (strcmp(a, "--env-stdin") == 0) {
            o->env_stdin = true;
        } else if (strcmp(a, "--merge-stderr") == 0) {
            o->merge_stderr = true;
        } else if (strcmp(a, "--net-none") == 0) {
            o->net_none = true;
        } else if (strcmp(a, "--insecure") == 0) {
            o->insecure = true;
        } else if (strcmp(a, "--in-place") == 0) {
            o->in_place = true;
        } else if (strcmp(a, "--proc") == 0 && has1) {
            add_mount(o, (struct mount_op){ .kind = MOUNT_PROC, .target = argv[++i] });
        } else if (strcmp(a, "--sys") == 0 && has1) {
            add_mount(o, (struct mount_op){ .kind = MOUNT_SYS, .target = argv[++i] });
        } else if (strcmp(a, "--dev") == 0 && has1) {
            add_mount(o, (struct mount_op){ .kind = MOUNT_DEV, .target = argv[++i] });
        } else if ((strcmp(a, "--ro-bind") == 0 || strcmp(a, "--bind") == 0) && i + 2 < argc) {
            enum mount_kind kind = a[2] == 'r' ? MOUNT_RO_BIND : MOUNT_BIND;
            add_mount(o, (struct mount_op){ .kind = kind, .source = argv[i + 1], .target = argv[i + 2] });
            i += 2;
        } else if (strcmp(a, "--overlay") == 0 && i + 4 < argc) {
            add_mount(o, (struct mount_op){
                .kind = MOUNT_OVERLAY, .source = argv[i + 1], .upper = argv[i + 2], .work = argv[i + 3], .target = argv[i + 4] });
            i += 4;
        } else if (strcmp(a, "--tmpfs") == 0 && i + 2 < argc) {
            uint64_t size = parse_number("tmpfs size", argv[i + 2], UINT64_MAX);
            add_mount(o, (struct mount_op){ .kind = MOUNT_TMPFS, .target = argv[i + 1], .size = size });
            i += 2;
        } else {
            usage();
        }
    }
    if (!o->root || i >= argc) {
        usage();
    }
    if (o->root[0] != '/' || o->cwd[0] != '/') {
        die(EXIT_SETUP, "--root and --cwd must be absolute paths");
    }
    if (o->in_place && o->mount_count > 0) {
        die(EXIT_SETUP, "--in-place takes no mounts: the caller puts their content in place");
    }
    o->argv = &argv[i];
    if (!o->env) {
        add_env(o, NULL);
        o->env_count = 0;
    }
}

/* Reads the NUL-separated environment from stdin up to its empty terminating entry. The caller
 * writes nothing after the terminator (stdin stays open only as a lifeline), so any byte read past
 * it is a protocol error. */
static void read_env_stdin(struct options *o)
{
    size_t capacity = 1 << 16, length = 0;
    char *buf = malloc(capacity);
    if (!buf) {
        die(EXIT_SETUP, "out of memory reading the environment");
    }
    size_t start = 0; /* start of the entry being scanned */
    size_t scanned = 0;
    for (;;) {
        while (scanned < length) {
            if (buf[scanned] == '\0') {
                if (scanned == start) {
                    if (scanned + 1 != length) {
                        die(EXIT_SETUP, "unexpected data after the environment on stdin");
                    }
                    goto done;
                }
                start = scanned + 1;
            }
            scanned++;
        }
        if (length == capacity) {
            if (capacity >= MAX_ENV_BYTES) {
                die(EXIT_SETUP, "environment larger than %u bytes", MAX_ENV_BYTES);
            }
            capacity *= 2;
            char *grown = realloc(buf, capacity);
            if (!grown) {
                die(EXIT_SETUP, "out of memory reading the environment");
            }
            buf = grown;
        }
        ssize_t n = read(STDIN_FILENO, buf + length, capacity - length);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            die(EXIT_SETUP, "reading the environment from stdin: %s", error_text(errno));
        }
        if (n == 0) {
            die(EXIT_SETUP, "stdin ended before the environment's terminating empty entry");
        }
        length += (size_t)n;
    }
done:
    /* Entries are pointers into buf, which lives until exec. */
    for (size_t pos = 0; buf[pos] != '\0'; pos += strlen(buf + pos) + 1) {
        if (o->env_count >= MAX_ENV_ENTRIES) {
            die(EXIT_SETUP, "too many environment entries");
        }
        add_env(o, buf + pos);
    }
}

static int status_to_exit_code(int status)
{
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return EXIT_SETUP;
}

static int open_signalfd(const sigset_t *set)
{
    int fd = signalfd(-1, set, SFD_CLOEXEC);
    if (fd < 0) {
        die(EXIT_SETUP, "signalfd: %s", error_text(errno));
    }
    return fd;
}

/* A new network namespace starts with its loopback interface down; builds expect localhost. */
static void bring_up_loopback(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        die(EXIT_SETUP, "socket for the loopback interface: %s", error_text(errno));
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) {
        die(EXIT_SETUP, "reading the loopback interface's flags: %s", error_text(errno));
    }
    ifr.ifr_flags = (short)(ifr.ifr_flags | IFF_UP);
    if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) {
        die(EXIT_SETUP, "bringing the loopback interface up: %s", error_text(errno));
    }
    close(s);
}

/* ---- the command ----------------------------------------------------------------------------- */

static const char *env_lookup(char **env, const char *name)
{
    size_t len = strlen(name);
    for (char **e = env; *e; e++) {
        if (strncmp(*e, name, len) == 0 && (*e)[len] == '=') {
            return *e + len + 1;
        }
    }
    return NULL;
}

static noreturn void exec_failed(const char *file, int err)
{
    die(err == ENOENT || err == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC, "exec \"%s\": %s", file,
        error_text(err));
}

/* execvp() with PATH taken from the command's own environment, not the launcher's. */
static noreturn void exec_command(char **argv, char **env)
{
    const char *file = argv[0];
    if (file[0] == '\0') {
        die(EXIT_NOT_FOUND, "exec \"\": empty command");
    }
    if (strchr(file, '/')) {
        execve(file, argv, env);
        exec_failed(file, errno);
    }
    const char *path = env_lookup(env, "PATH");
    if (!path) {
        path = DEFAULT_PATH;
    }
    bool denied = false;
    size_t file_len = strlen(file);
    for (const char *dir = path;; ) {
        const char *end = strchrnul(dir, ':');
        size_t dir_len = (size_t)(end - dir);
        char candidate[PATH_MAX];
        if (dir_len == 0) {
            /* An empty PATH element means the working directory, as in execvp. */
            dir = ".";
            dir_len = 1;
        }
        if (dir_len + 1 + file_len < sizeof candidate) {
            memcpy(candidate, dir, dir_len);
            candidate[dir_len] = '/';
            memcpy(candidate + dir_len + 1, file, file_len + 1);
            execve(candidate, argv, env);
            switch (errno) {
            case ENOENT:
            case ENOTDIR:
            case ELOOP:
            case ENAMETOOLONG:
                break;
            case EACCES:
                /* Keep looking: a later directory may hold an executable one, as execvp does. */
                denied = true;
                break;
            default:
                exec_failed(candidate, errno);
            }
        }
        if (*end == '\0') {
            break;
        }
        dir = end + 1;
    }
    if (denied) {
        die(EXIT_CANNOT_EXEC, "exec \"%s\": permission denied", file);
    }
    die(EXIT_NOT_FOUND, "exec \"%s\": executable file not found in $PATH", file);
}

static noreturn void run_command(const struct options *o)
{
    sigset_t none;
    sigemptyset(&none);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) {
            signal(sig, SIG_DFL); /* ignored dispositions would survive exec */
        }
    }
    sigprocmask(SIG_SETMASK, &none, NULL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);

    if (setgroups(o->group_count, o->groups) != 0) {
        die(EXIT_SETUP, "setgroups: %s", error_text(errno));
    }
    if (setgid(o->gid) != 0) {
        die(EXIT_SETUP, "setgid %u: %s", (unsigned)o->gid, error_text(errno));
    }
    if (setuid(o->uid) != 0) {
        die(EXIT_SETUP, "setuid %u: %s", (unsigned)o->uid, error_text(errno));
    }
    umask(022);
    if (o->merge_stderr && dup2(STDOUT_FILENO, STDERR_FILENO) < 0) {
        die(EXIT_SETUP, "dup2: %s", error_text(errno));
    }
    /* Nothing but stdio reaches the command, whatever the launcher's caller leaked to us. */
    syscall(SYS_close_range, 3u, ~0u, 0u);
    exec_command(o->argv, o->env);
}

/* ---- pid 1 of the new namespace -------------------------------------------------------------- */

static noreturn void run_init(const struct options *o, const sigset_t *handled, int alive_fd)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* The launcher may have died before the line above: its end of the pipe is then closed. */
    struct pollfd alive = { .fd = alive_fd, .events = POLLIN };
    if (poll(&alive, 1, 0) != 0) {
        _exit(EXIT_SETUP);
    }

    struct sandbox_fs fs = {
        .root = o->root,
        .mounts = o->mounts,
        .mount_count = o->mount_count,
        .own_network = o->net_none,
        .confined = !o->insecure,
    };
    enter_root(&fs);
    if (o->hostname && sethostname(o->hostname, strlen(o->hostname)) != 0) {
        die(EXIT_SETUP, "sethostname: %s", error_text(errno));
    }
    if (chdir(o->cwd) != 0) {
        die(EXIT_SETUP, "working directory \"%s\": %s", o->cwd, error_text(errno));
    }

    int sfd = open_signalfd(handled);
    if (!o->insecure) {
        /* init confines itself too: nothing left in the namespace holds more than the command. */
        confine_to_container_defaults();
    }
    /* The command cannot read this process's memory or descriptors through /proc/1. */
    prctl(PR_SET_DUMPABLE, 0);
    pid_t command = fork();
    if (command < 0) {
        die(EXIT_SETUP, "fork: %s", error_text(errno));
    }
    if (command == 0) {
        close(sfd);
        run_command(o);
    }

    for (;;) {
        struct signalfd_siginfo info;
        ssize_t n = read(sfd, &info, sizeof info);
        if (n != (ssize_t)sizeof info) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            die(EXIT_SETUP, "reading signals: %s", error_text(errno));
        }
        if (info.ssi_signo != SIGCHLD) {
            kill(command, (int)info.ssi_signo);
            continue;
        }
        /* As pid 1 we inherit every orphan of the command: reap them all. */
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            if (pid == command) {
                /* Exiting tears the namespace down: the kernel kills anything still running. */
                _exit(status_to_exit_code(status));
            }
        }
    }
}

/* ---- in place ------------------------------------------------------------------------------- */

static noreturn void run_in_place(const struct options *o, int alive_fd)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    struct pollfd alive = { .fd = alive_fd, .events = POLLIN };
    if (poll(&alive, 1, 0) != 0) {
        _exit(EXIT_SETUP);
    }
    /* A group of its own: what the command leaves behind is killed with it. */
    setpgid(0, 0);
    if (strcmp(o->root, "/") != 0 && chroot(o->root) != 0) {
        die(EXIT_SETUP, "chroot \"%s\": %s", o->root, error_text(errno));
    }
    if (chdir(o->cwd) != 0) {
        die(EXIT_SETUP, "working directory \"%s\": %s", o->cwd, error_text(errno));
    }
    if (!o->insecure) {
        confine_as_far_as_allowed();
    }
    run_command(o);
}

/* Whether unshare and mounts work here, tried in this short-lived process only. */
static noreturn void probe(void)
{
    if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS) != 0) {
        fprintf(stderr, "unshare(mount, pid, ipc, uts namespaces): %s\n", error_text(errno));
        exit(1);
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        fprintf(stderr, "mount (making mounts private): %s\n", error_text(errno));
        exit(1);
    }
    exit(0);
}

/* ---- the launcher in the caller's namespaces ------------------------------------------------- */

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--probe") == 0) {
        probe();
    }
    struct options o;
    parse_args(&o, argc, argv);
    umask(0);

    int lifeline = -1;
    if (o.env_stdin) {
        read_env_stdin(&o);
        lifeline = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
        if (lifeline < 0) {
            die(EXIT_SETUP, "dup stdin: %s", error_text(errno));
        }
    }
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0) {
        die(EXIT_SETUP, "/dev/null: %s", error_text(errno));
    }
    close(devnull);

    sigset_t handled;
    sigemptyset(&handled);
    sigaddset(&handled, SIGCHLD);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGINT);
    sigaddset(&handled, SIGHUP);
    sigaddset(&handled, SIGQUIT);
    /* Blocked before fork so no signal is lost between fork and the signalfd reads. */
    sigprocmask(SIG_BLOCK, &handled, NULL);

    int flags = o.in_place ? (o.net_none ? CLONE_NEWNET : 0)
                           : CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | (o.hostname ? CLONE_NEWUTS : 0) | (o.net_none ? CLONE_NEWNET : 0);
    if (o.in_place && o.net_none && unshare(flags) != 0) {
        die(EXIT_SETUP, "unshare(net namespace) for a network of the command's own: %s", error_text(errno));
    }
    if (!o.in_place && unshare(flags) != 0) {
        int err = errno;
        die(EXIT_SETUP, "unshare(mount, pid, ipc%s%s namespaces): %s%s", o.hostname ? ", uts" : "", o.net_none ? ", net" : "",
            error_text(err), err == EPERM ? " (the chroot isolation needs root with CAP_SYS_ADMIN)" : "");
    }
    if (o.net_none) {
        bring_up_loopback();
    }
    /* Nothing mounted for the sandbox may propagate back to the host. */
    if (!o.in_place && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        die(EXIT_SETUP, "making mounts private: %s", error_text(errno));
    }

    int alive[2];
    if (pipe2(alive, O_CLOEXEC) != 0) {
        die(EXIT_SETUP, "pipe: %s", error_text(errno));
    }
    int sfd = open_signalfd(&handled);
    pid_t init = fork();
    if (init < 0) {
        die(EXIT_SETUP, "fork: %s", error_text(errno));
    }
    if (init == 0) {
        close(alive[1]);
        close(sfd);
        if (lifeline >= 0) {
            close(lifeline);
        }
        if (o.in_place) {
            run_in_place(&o, alive[0]);
        }
        run_init(&o, &handled, alive[0]);
    }
    close(alive[0]);
    if (o.in_place) {
        setpgid(init, init); /* also here, so no kill below can miss the group */
    }

    for (;;) {
        struct pollfd fds[2] = {
            { .fd = sfd, .events = POLLIN },
            { .fd = lifeline, .events = POLLIN },
        };
        if (poll(fds, lifeline >= 0 ? 2 : 1, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            die(EXIT_SETUP, "poll: %s", error_text(errno));
        }
        if (lifeline >= 0 && fds[1].revents != 0) {
            /* The caller closed our stdin: it cancelled the build or died. */
            kill(o.in_place ? -init : init, SIGKILL);
            int status;
            while (waitpid(init, &status, 0) < 0 && errno == EINTR) {
            }
            return status_to_exit_code(status);
        }
        if (fds[0].revents == 0) {
            continue;
        }
        struct signalfd_siginfo info;
        if (read(sfd, &info, sizeof info) != (ssize_t)sizeof info) {
            continue;
        }
        if (info.ssi_signo != SIGCHLD) {
            kill(init, (int)info.ssi_signo);
            continue;
        }
        int status;
        if (waitpid(init, &status, WNOHANG) == init) {
            if (o.in_place) {
                kill(-init, SIGKILL);
            }
            return status_to_exit_code(status);
        }
    }
}
