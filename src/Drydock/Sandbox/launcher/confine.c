/*
 * Docker's default confinement for a RUN step: its 14 capabilities and its default seccomp
 * profile (moby/profiles seccomp/default.json), as `docker run` without --privileged applies them.
 */
#define _GNU_SOURCE
#include "confine.h"
#include "report.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, NET_BIND_SERVICE, NET_RAW,
 * SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP: /proc/self/status shows CapEff 00000000a80425fb. */
#define DEFAULT_CAPABILITIES                                                                          \
    ((1ull << CAP_CHOWN) | (1ull << CAP_DAC_OVERRIDE) | (1ull << CAP_FOWNER) | (1ull << CAP_FSETID) |  \
     (1ull << CAP_KILL) | (1ull << CAP_SETGID) | (1ull << CAP_SETUID) | (1ull << CAP_SETPCAP) |        \
     (1ull << CAP_NET_BIND_SERVICE) | (1ull << CAP_NET_RAW) | (1ull << CAP_SYS_CHROOT) |              \
     (1ull << CAP_MKNOD) | (1ull << CAP_AUDIT_WRITE) | (1ull << CAP_SETFCAP))

/* The profile's unconditional allow list. Names the linked libseccomp does not know are skipped:
 * their numbers are newer than it, and the stub filter below answers them with ENOSYS. */
static const char *const allowed[] = {
    "accept", "accept4", "access", "adjtimex", "alarm", "bind",
    "brk", "cachestat", "capget", "capset", "chdir", "chmod",
    "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64",
    "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range",
    "connect", "copy_file_range", "creat", "dup", "dup2", "dup3",
    "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2",
    "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat",
    "exit", "exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64",
    "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2",
    "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync",
    "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr",
    "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync",
    "ftruncate", "ftruncate64", "futex", "futex_requeue", "futex_time64", "futex_wait",
    "futex_waitv", "futex_wake", "futimesat", "getcpu", "getcwd", "getdents",
    "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid",
    "getgid32", "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid",
    "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid",
    "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list", "getrusage",
    "getsid", "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday",
    "getuid", "getuid32", "getxattr", "getxattrat", "inotify_add_watch", "inotify_init",
    "inotify_init1", "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy", "io_getevents",
    "io_pgetevents", "io_pgetevents_time64", "ioprio_get", "ioprio_set", "io_setup", "io_submit",
    "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown",
    "lchown32", "lgetxattr", "link", "linkat", "listen", "listmount",
    "listxattr", "listxattrat", "llistxattr", "_llseek", "lremovexattr", "lseek",
    "lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack", "membarrier",
    "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod",
    "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2",
    "mprotect", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
    "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "mseal", "msgctl",
    "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall",
    "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open",
    "openat", "openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe",
    "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll", "ppoll",
    "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64",
    "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev", "pwritev2",
    "read", "readahead", "readlink", "readlinkat", "readv", "recv",
    "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr",
    "removexattrat", "rename", "renameat", "renameat2", "restart_syscall", "riscv_hwprobe",
    "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
    "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity",
    "sched_getattr", "sched_getparam", "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval",
    "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield",
    "seccomp", "select", "semctl", "semget", "semop", "semtimedop",
    "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg",
    "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid",
    "setgid32", "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority",
    "setregid", "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32",
    "setreuid", "setreuid32", "setrlimit", "set_robust_list", "setsid", "setsockopt",
    "set_thread_area", "set_tid_address", "setuid", "setuid32", "setxattr", "setxattrat",
    "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack",
    "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair",
    "splice", "stat", "stat64", "statfs", "statfs64", "statmount",
    "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs",
    "sysinfo", "tee", "tgkill", "time", "timer_create", "timer_delete",
    "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create",
    "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill",
    "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink",
    "unlinkat", "uretprobe", "utime", "utimensat", "utimensat_time64", "utimes",
    "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write",
    "writev",
    /* Allowed from kernel 4.8 on, where ptrace can no longer bypass seccomp. */
    "ptrace", "process_vm_readv", "process_vm_writev",
    /* Architecture-specific calls; a name that does not exist on this architecture resolves to nothing. */
    "arch_prctl", "modify_ldt", "arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint",
    "cacheflush", "set_tls", "swapcontext", "s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr",
    "riscv_flush_icache",
    /* Granted with CAP_SYS_CHROOT, one of the 14. */
    "chroot",
};

/* personality(2) personas the profile allows: PER_LINUX, UNAME26, PER_LINUX32, UNAME26|PER_LINUX32, query. */
static const uint64_t allowed_personas[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

/* clone(2) flags that create namespaces, refused without CAP_SYS_ADMIN. */
#define NAMESPACE_CLONE_FLAGS                                                                       \
    (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |    \
     CLONE_NEWCGROUP)

#ifdef __s390x__
#define CLONE_FLAGS_ARG 1 /* s390 swaps clone's first two arguments */
#else
#define CLONE_FLAGS_ARG 0
#endif

static noreturn void seccomp_failed(const char *what, int rc)
{
    die(EXIT_SETUP, "seccomp filter: %s: %s", what, error_text(-rc));
}

static void add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned count, const struct scmp_arg_cmp *args)
{
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) {
        return;
    }
    int rc = seccomp_rule_add_array(ctx, action, nr, count, args);
    if (rc != 0) {
        seccomp_failed(name, rc);
    }
}

/* The profile's sub-architectures: 32-bit programs run on a 64-bit kernel as they do under Docker. */
static void add_compat_architectures(scmp_filter_ctx ctx)
{
    uint32_t compat[2] = { 0, 0 };
    switch (seccomp_arch_native()) {
    case SCMP_ARCH_X86_64:
        compat[0] = SCMP_ARCH_X86;
        compat[1] = SCMP_ARCH_X32;
        break;
    case SCMP_ARCH_AARCH64:
        compat[0] = SCMP_ARCH_ARM;
        break;
    default:
        break;
    }
    for (size_t i = 0; i < 2 && compat[i] != 0; i++) {
        int rc = seccomp_arch_add(ctx, compat[i]);
        if (rc != 0 && rc != -EEXIST) {
            seccomp_failed("adding a compatibility architecture", rc);
        }
    }
}

/* The highest system call number of this architecture that the linked libseccomp can name. */
static int highest_known_syscall(void)
{
    uint32_t native = seccomp_arch_native();
    int highest = 0;
    for (int nr = 0; nr < 1024; nr++) {
        char *name = seccomp_syscall_resolve_num_arch(native, nr);
        if (name != NULL) {
            highest = nr;
            free(name);
        }
    }
    return highest;
}

/* A second filter, for system calls newer than libseccomp: ENOSYS, so libc falls back to an older
 * call as it would on an older kernel, where the profile's EPERM would be taken as a refusal. Of
 * two filters giving an errno, the later one's errno is returned; everything else it allows. */
static void load_enosys_stub(uint32_t audit_arch, int highest_known)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, audit_arch, 0, 4),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)highest_known, 0, 2),
        /* x32 numbers carry bit 30 under the x86-64 audit architecture: those the first filter judges. */
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = { .len = sizeof code / sizeof code[0], .filter = code };
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) {
        die(EXIT_SETUP, "seccomp filter for unknown system calls: %s", error_text(errno));
    }
}

static uint32_t native_audit_arch(void)
{
#if defined(__x86_64__)
    return AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
    return AUDIT_ARCH_AARCH64;
#elif defined(__riscv) && __riscv_xlen == 64
    return AUDIT_ARCH_RISCV64;
#elif defined(__s390x__)
    return AUDIT_ARCH_S390X;
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return AUDIT_ARCH_PPC64LE;
#else
#error "drydock-run: add this architecture's AUDIT_ARCH value"
#endif
}

static void load_seccomp_profile(void)
{
    /* Refused calls fail with EPERM, as the profile's defaultErrnoRet says. */
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (!ctx) {
        die(EXIT_SETUP, "seccomp filter: out of memory");
    }
    /* Docker leaves no_new_privs unset, so setuid programs (su, sudo) and file capabilities work. */
    int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    if (rc != 0) {
        seccomp_failed("keeping no_new_privs unset", rc);
    }
    add_compat_architectures(ctx);

    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
        add_rule(ctx, SCMP_ACT_ALLOW, allowed[i], 0, NULL);
    }
    for (size_t i = 0; i < sizeof allowed_personas / sizeof allowed_personas[0]; i++) {
        struct scmp_arg_cmp persona = SCMP_A0_64(SCMP_CMP_EQ, allowed_personas[i]);
        add_rule(ctx, SCMP_ACT_ALLOW, "personality", 1, &persona);
    }
    /* Every address family but AF_KCM (38) and AF_VSOCK (40). */
    struct scmp_arg_cmp below_kcm = SCMP_A0_64(SCMP_CMP_LT, 38);
    struct scmp_arg_cmp qipcrtr = SCMP_A0_64(SCMP_CMP_EQ, 39);
    struct scmp_arg_cmp above_vsock = SCMP_A0_64(SCMP_CMP_GT, 40);
    add_rule(ctx, SCMP_ACT_ALLOW, "socket", 1, &below_kcm);
    add_rule(ctx, SCMP_ACT_ALLOW, "socket", 1, &qipcrtr);
    add_rule(ctx, SCMP_ACT_ALLOW, "socket", 1, &above_vsock);
    /* fork and threads, but no new namespaces. */
    struct scmp_arg_cmp no_namespaces = { CLONE_FLAGS_ARG, SCMP_CMP_MASKED_EQ, NAMESPACE_CLONE_FLAGS, 0 };
    add_rule(ctx, SCMP_ACT_ALLOW, "clone", 1, &no_namespaces);
    /* clone3's flags sit in memory a filter cannot read: ENOSYS makes libc use clone. */
    add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);

    rc = seccomp_load(ctx);
    if (rc != 0) {
        seccomp_failed("loading", rc);
    }
    seccomp_release(ctx);
    load_enosys_stub(native_audit_arch(), highest_known_syscall());
}

static void drop_bounding_set(uint64_t kept)
{
    for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
        if (!(kept & (1ull << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
            die(EXIT_SETUP, "dropping capability %d from the bounding set: %s", cap, error_text(errno));
        }
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
        die(EXIT_SETUP, "clearing the ambient capabilities: %s", error_text(errno));
    }
}

/* Permitted and effective: the 14; inheritable: none, as Docker since 20.10.14 (CVE-2022-24769). */
static void set_capabilities(uint64_t kept)
{
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2] = { { 0 } };
    data[0].effective = data[0].permitted = (uint32_t)kept;
    data[1].effective = data[1].permitted = (uint32_t)(kept >> 32);
    if (syscall(SYS_capset, &header, data) != 0) {
        die(EXIT_SETUP, "setting capabilities: %s", error_text(errno));
    }
}

void confine_to_container_defaults(void)
{
    drop_bounding_set(DEFAULT_CAPABILITIES);
    /* Loaded while CAP_SYS_ADMIN is still held: without no_new_privs the kernel asks for it. */
    load_seccomp_profile();
    set_capabilities(DEFAULT_CAPABILITIES);
}

static uint64_t permitted_capabilities(void)
{
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2] = { { 0 } };
    if (syscall(SYS_capget, &header, data) != 0) {
        die(EXIT_SETUP, "reading capabilities: %s", error_text(errno));
    }
    return (uint64_t)data[0].permitted | ((uint64_t)data[1].permitted << 32);
}

void confine_as_far_as_allowed(void)
{
    uint64_t held = permitted_capabilities();
    uint64_t kept = DEFAULT_CAPABILITIES & held;
    if (held & (1ull << CAP_SETPCAP)) {
        drop_bounding_set(kept);
    }
    /* Without CAP_SYS_ADMIN the kernel takes a filter only with no_new_privs, which would break
     * setuid programs; such a container already runs under its runtime's filter, which applies. */
    if (held & (1ull << CAP_SYS_ADMIN)) {
        load_seccomp_profile();
    }
    set_capabilities(kept);
}
