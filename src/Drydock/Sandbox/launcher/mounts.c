/*
 * Mount targets are absolute host paths inside the root, already resolved by the caller without
 * following links out of it. They are opened here with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS) and mounted through /proc/self/fd, so a link planted in the image can never
 * redirect a mount to a host path. A mount point the caller could not see because an earlier
 * mount now covers its place (the sandbox's /dev, a tmpfs, a cache directory) is created here,
 * inside that mount, the same careful way.
 */
#define _GNU_SOURCE
#include "mounts.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* Our own copies of the openat2 and mount_setattr ABI: the kernel headers that define them clash
 * with <sys/mount.h> on some glibc versions, and the numbers are the same on every architecture. */
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
struct dd_open_how {
    uint64_t flags;
    uint64_t mode;
    uint64_t resolve;
};
#define DD_RESOLVE_NO_MAGICLINKS 0x02
#define DD_RESOLVE_NO_SYMLINKS 0x04
#define DD_RESOLVE_BENEATH 0x08
struct dd_mount_attr {
    uint64_t attr_set;
    uint64_t attr_clr;
    uint64_t propagation;
    uint64_t userns_fd;
};
#define DD_MOUNT_ATTR_RDONLY 0x1
#define DD_MOUNT_ATTR_NOSUID 0x2
#define DD_MOUNT_ATTR_NODEV 0x4
#define DD_MOUNT_ATTR_NOEXEC 0x8
#define DD_AT_RECURSIVE 0x8000


/* TARGET (an absolute path under ROOT) relative to ROOT, or death if it is not strictly inside. */
static const char *relative_target(const char *root, const char *target)
{
    size_t root_len = strlen(root);
    while (root_len > 1 && root[root_len - 1] == '/') {
        root_len--;
    }
    if (strncmp(target, root, root_len) != 0 || target[root_len] != '/' || target[root_len + 1] == '\0') {
        die(EXIT_SETUP, "mount target %s is not inside the root %s", target, root);
    }
    return target + root_len + 1;
}

/* openat(DIRFD, RELATIVE) for an O_PATH descriptor that never follows a link nor leaves DIRFD. */
static int open_beneath(int dirfd, const char *relative, bool must_be_dir)
{
    uint64_t flags = O_PATH | O_CLOEXEC | (must_be_dir ? O_DIRECTORY : 0);
    struct dd_open_how how = {
        .flags = flags,
        .resolve = DD_RESOLVE_BENEATH | DD_RESOLVE_NO_SYMLINKS | DD_RESOLVE_NO_MAGICLINKS,
    };
    int fd = (int)syscall(SYS_openat2, dirfd, relative, &how, sizeof how);
    if (fd < 0 && errno == ENOSYS) {
        /* Kernels before 5.6: the caller's in-root resolution is then the only guard on parents. */
        fd = openat(dirfd, relative, (int)flags | O_NOFOLLOW);
    }
    return fd;
}

static noreturn void target_failed(const char *target, int err)
{
    die(EXIT_SETUP, "mount target %s: %s", target, err == ELOOP ? "a path component is a symbolic link" : error_text(err));
}

/* Opens TARGET (an absolute path under ROOT) relative to ROOTFD without following any link. */
static int open_target(int rootfd, const char *root, const char *target, bool must_be_dir)
{
    int fd = open_beneath(rootfd, relative_target(root, target), must_be_dir);
    if (fd < 0) {
        target_failed(target, errno);
    }
    return fd;
}

/* Creates NAME in DIRFD as a directory or an empty file; one that appeared meanwhile is fine. */
static void create_mount_point(int dirfd, const char *name, bool dir, const char *target)
{
    if (dir) {
        if (mkdirat(dirfd, name, 0755) != 0 && errno != EEXIST) {
            target_failed(target, errno);
        }
        return;
    }
    int fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) {
        target_failed(target, errno);
    }
    if (fd >= 0) {
        close(fd);
    }
}

/* Opens TARGET like open_target, first creating whatever of it is missing: parents as
 * directories, the last component as a directory or an empty file (DIR). Only places an earlier
 * mount covers can lack a mount point: the caller made every other one. */
static int open_mount_point(int rootfd, const char *root, const char *target, bool dir)
{
    const char *relative = relative_target(root, target);
    int fd = open_beneath(rootfd, relative, false);
    if (fd >= 0) {
        return fd;
    }
    if (errno != ENOENT) {
        target_failed(target, errno);
    }
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s", relative) >= (int)sizeof path) {
        target_failed(target, ENAMETOOLONG);
    }
    int parent = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
    if (parent < 0) {
        target_failed(target, errno);
    }
    for (char *save = NULL, *name = strtok_r(path, "/", &save); name; ) {
        char *next_name = strtok_r(NULL, "/", &save);
        bool last = next_name == NULL;
        int next = open_beneath(parent, name, false);
        if (next < 0 && errno == ENOENT) {
            create_mount_point(parent, name, dir || !last, target);
            next = open_beneath(parent, name, false);
        }
        if (next < 0) {
            target_failed(target, errno);
        }
        close(parent);
        parent = next;
        name = next_name;
    }
    return parent;
}

static void fd_path(char *buf, size_t size, int fd)
{
    snprintf(buf, size, "/proc/self/fd/%d", fd);
}

static void mount_on_fd(const char *source, int fd, const char *fstype, unsigned long flags, const char *data,
                        const char *what)
{
    char path[64];
    fd_path(path, sizeof path, fd);
    if (mount(source, path, fstype, flags, data) != 0) {
        die(EXIT_SETUP, "mount %s: %s", what, error_text(errno));
    }
}

/* Sets mount attributes on the mount FD is the root of (and its submounts when RECURSIVE). */
static void restrict_mount(int fd, uint64_t attrs, bool recursive, const char *what)
{
    struct dd_mount_attr attr = { .attr_set = attrs };
    unsigned int at = AT_EMPTY_PATH | (recursive ? DD_AT_RECURSIVE : 0);
    if (syscall(SYS_mount_setattr, fd, "", at, &attr, sizeof attr) == 0) {
        return;
    }
    if (errno != ENOSYS) {
        die(EXIT_SETUP, "restricting %s: %s", what, error_text(errno));
    }
    /* Kernels before 5.12: a bind remount changes only the top mount. */
    unsigned long flags = MS_REMOUNT | MS_BIND;
    flags |= (attrs & DD_MOUNT_ATTR_RDONLY) ? MS_RDONLY : 0;
    flags |= (attrs & DD_MOUNT_ATTR_NOSUID) ? MS_NOSUID : 0;
    flags |= (attrs & DD_MOUNT_ATTR_NODEV) ? MS_NODEV : 0;
    flags |= (attrs & DD_MOUNT_ATTR_NOEXEC) ? MS_NOEXEC : 0;
    mount_on_fd(NULL, fd, NULL, flags, NULL, what);
}

static int open_source(const char *path, bool must_be_dir, const char *role)
{
    int fd = open(path, O_PATH | O_CLOEXEC | (must_be_dir ? O_DIRECTORY : 0));
    if (fd < 0) {
        die(EXIT_SETUP, "%s %s: %s", role, path, error_text(errno));
    }
    return fd;
}

/* Binds SOURCE (a file or a directory, with what is mounted below it) onto TARGET. */
static void bind_mount(int rootfd, const char *root, const struct mount_op *m, bool read_only)
{
    char what[2 * PATH_MAX + 16];
    snprintf(what, sizeof what, "%s on %s", m->source, m->target);
    int source = open_source(m->source, false, "bind source");
    struct stat st;
    if (fstat(source, &st) != 0) {
        die(EXIT_SETUP, "bind source %s: %s", m->source, error_text(errno));
    }
    char source_path[64];
    fd_path(source_path, sizeof source_path, source);
    int fd = open_mount_point(rootfd, root, m->target, S_ISDIR(st.st_mode));
    mount_on_fd(source_path, fd, NULL, MS_BIND | MS_REC, NULL, what);
    close(fd);
    close(source);
    /* Reopened: the first descriptor still names what lies beneath the new mount. */
    fd = open_target(rootfd, root, m->target, false);
    restrict_mount(fd, DD_MOUNT_ATTR_NOSUID | DD_MOUNT_ATTR_NODEV | (read_only ? DD_MOUNT_ATTR_RDONLY : 0), true, what);
    close(fd);
}

/* An overlay of LOWER with UPPER taking the writes. The directories are named through
 * /proc/self/fd, so no path needs escaping in the mount options. */
static void overlay_mount(int rootfd, const char *root, const struct mount_op *m)
{
    int lower = open_source(m->source, true, "overlay lower directory");
    int upper = open_source(m->upper, true, "overlay upper directory");
    int work = open_source(m->work, true, "overlay work directory");
    char data[256], what[2 * PATH_MAX + 32];
    snprintf(data, sizeof data, "lowerdir=/proc/self/fd/%d,upperdir=/proc/self/fd/%d,workdir=/proc/self/fd/%d", lower,
             upper, work);
    snprintf(what, sizeof what, "overlay of %s on %s", m->source, m->target);
    int fd = open_mount_point(rootfd, root, m->target, true);
    mount_on_fd("overlay", fd, "overlay", MS_NOSUID | MS_NODEV, data, what);
    close(fd);
    close(work);
    close(upper);
    close(lower);
}

static void tmpfs_mount(int rootfd, const char *root, const struct mount_op *m)
{
    char data[64], what[PATH_MAX + 16];
    if (m->size > 0) {
        snprintf(data, sizeof data, "mode=1777,size=%llu", (unsigned long long)m->size);
    } else {
        snprintf(data, sizeof data, "mode=1777");
    }
    snprintf(what, sizeof what, "tmpfs on %s", m->target);
    int fd = open_mount_point(rootfd, root, m->target, true);
    mount_on_fd("tmpfs", fd, "tmpfs", MS_NOSUID | MS_NODEV, data, what);
    close(fd);
}

static void bind_device(int devfd, const char *name)
{
    char host[64], what[96];
    snprintf(host, sizeof host, "/dev/%s", name);
    snprintf(what, sizeof what, "%s onto the sandbox's /dev", host);
    int fd = openat(devfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0) {
        die(EXIT_SETUP, "creating /dev/%s: %s", name, error_text(errno));
    }
    mount_on_fd(host, fd, NULL, MS_BIND, NULL, what);
    close(fd);
}

static void make_link(int dirfd, const char *target, const char *name)
{
    if (symlinkat(target, dirfd, name) != 0) {
        die(EXIT_SETUP, "creating /dev/%s: %s", name, error_text(errno));
    }
}

static int make_dir(int dirfd, const char *name, mode_t mode)
{
    if (mkdirat(dirfd, name, mode) != 0) {
        die(EXIT_SETUP, "creating /dev/%s: %s", name, error_text(errno));
    }
    int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        die(EXIT_SETUP, "opening /dev/%s: %s", name, error_text(errno));
    }
    return fd;
}

/* A private /dev holding only what builds need: no host disk, console or kernel device. Confined,
 * it is nodev, so a node made there with mknod cannot be opened (Docker's device cgroup refuses
 * it); the devices bound in are mounts of their own and keep working. */
static void setup_dev(int rootfd, const char *root, const char *target, bool confined)
{
    int under = open_target(rootfd, root, target, true);
    mount_on_fd("tmpfs", under, "tmpfs", MS_NOSUID | MS_STRICTATIME | (confined ? MS_NODEV : 0), "mode=755,size=65536k",
                "tmpfs on /dev");
    close(under);
    /* Reopened: the first descriptor still names the directory beneath the new tmpfs. */
    int dev = open_target(rootfd, root, target, true);

    static const char *const devices[] = { "null", "zero", "full", "random", "urandom", "tty" };
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
        bind_device(dev, devices[i]);
    }

    int pts = make_dir(dev, "pts", 0755);
    mount_on_fd("devpts", pts, "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5",
                "devpts on /dev/pts");
    close(pts);
    make_link(dev, "pts/ptmx", "ptmx");

    int shm = make_dir(dev, "shm", 01777);
    mount_on_fd("shm", shm, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k",
                "tmpfs on /dev/shm");
    close(shm);

    make_link(dev, "/proc/self/fd", "fd");
    make_link(dev, "/proc/self/fd/0", "stdin");
    make_link(dev, "/proc/self/fd/1", "stdout");
    make_link(dev, "/proc/self/fd/2", "stderr");
    close(dev);
}

/* What Docker masks (masked_paths) or makes read-only (readonly_paths) in a container's /proc and
 * /sys, relative to those mounts. */
static const char *const proc_masked[] = { "acpi", "asound", "interrupts", "kcore", "keys", "latency_stats",
                                           "sched_debug", "scsi", "timer_list", "timer_stats" };
static const char *const proc_read_only[] = { "bus", "fs", "irq", "sys", "sysrq-trigger" };
static const char *const sys_masked[] = { "firmware", "devices/virtual/powercap" };

/* Hides NAME under DIRFD: a file behind /dev/null, a directory behind an empty read-only tmpfs. */
static void mask_path(int dirfd, const char *name, const char *what)
{
    int fd = open_beneath(dirfd, name, false);
    if (fd < 0) {
        if (errno == ENOENT) {
            return; /* this kernel has no such file */
        }
        die(EXIT_SETUP, "masking %s/%s: %s", what, name, error_text(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        die(EXIT_SETUP, "masking %s/%s: %s", what, name, error_text(errno));
    }
    char label[PATH_MAX];
    snprintf(label, sizeof label, "a mask on %s/%s", what, name);
    if (S_ISDIR(st.st_mode)) {
        mount_on_fd("tmpfs", fd, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=0555", label);
    } else {
        int null = open_source("/dev/null", false, "mask source");
        char null_path[64];
        fd_path(null_path, sizeof null_path, null);
        mount_on_fd(null_path, fd, NULL, MS_BIND, NULL, label);
        close(null);
    }
    close(fd);
}

/* Binds NAME under DIRFD onto itself, read-only. */
static void make_read_only(int dirfd, const char *name, const char *what)
{
    char label[PATH_MAX];
    snprintf(label, sizeof label, "%s/%s read-only", what, name);
    int fd = open_beneath(dirfd, name, false);
    if (fd < 0) {
        if (errno == ENOENT) {
            return;
        }
        die(EXIT_SETUP, "making %s: %s", label, error_text(errno));
    }
    char path[64];
    fd_path(path, sizeof path, fd);
    mount_on_fd(path, fd, NULL, MS_BIND | MS_REC, NULL, label);
    close(fd);
    /* Reopened: the first descriptor still names what lies beneath the new mount. */
    fd = open_beneath(dirfd, name, false);
    if (fd < 0) {
        die(EXIT_SETUP, "making %s: %s", label, error_text(errno));
    }
    restrict_mount(fd, DD_MOUNT_ATTR_RDONLY | DD_MOUNT_ATTR_NOSUID | DD_MOUNT_ATTR_NODEV | DD_MOUNT_ATTR_NOEXEC, true, label);
    close(fd);
}

/* Masks NAMES (COUNT of them) under the mount at TARGET, which the command will see as LABEL. */
static void mask_paths(int rootfd, const char *root, const char *target, const char *const *names, size_t count,
                       const char *label)
{
    int dir = open_target(rootfd, root, target, true);
    for (size_t i = 0; i < count; i++) {
        mask_path(dir, names[i], label);
    }
    close(dir);
}

/* The new PID namespace's /proc; confined, with the files that reach the host's kernel masked or read-only. */
static void setup_proc(int rootfd, const char *root, const char *target, bool confined)
{
    char what[PATH_MAX + 16];
    snprintf(what, sizeof what, "proc on %s", target);
    int fd = open_target(rootfd, root, target, true);
    mount_on_fd("proc", fd, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, what);
    close(fd);
    if (!confined) {
        return;
    }
    mask_paths(rootfd, root, target, proc_masked, sizeof proc_masked / sizeof proc_masked[0], "/proc");
    int proc = open_target(rootfd, root, target, true);
    for (size_t i = 0; i < sizeof proc_read_only / sizeof proc_read_only[0]; i++) {
        make_read_only(proc, proc_read_only[i], "/proc");
    }
    close(proc);
}

/* The host's /sys, or with a network namespace of our own a new sysfs: a sysfs shows the network
 * devices of the namespace that mounts it, and the host's are none of the command's business
 * then. Confined, it is read-only with the firmware and power-capping trees masked. */
static void setup_sys(int rootfd, const char *root, const char *target, bool own_network, bool confined)
{
    const uint64_t restricted = DD_MOUNT_ATTR_NOSUID | DD_MOUNT_ATTR_NODEV | DD_MOUNT_ATTR_NOEXEC | (confined ? DD_MOUNT_ATTR_RDONLY : 0);
    char what[PATH_MAX + 16];
    snprintf(what, sizeof what, "/sys on %s", target);
    int fd = open_target(rootfd, root, target, true);
    if (own_network) {
        mount_on_fd("sysfs", fd, "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | (confined ? MS_RDONLY : 0), NULL, what);
    } else {
        mount_on_fd("/sys", fd, NULL, MS_BIND | MS_REC, NULL, what);
        close(fd);
        fd = open_target(rootfd, root, target, true);
        restrict_mount(fd, restricted, true, what);
    }
    close(fd);
    if (confined) {
        mask_paths(rootfd, root, target, sys_masked, sizeof sys_masked / sizeof sys_masked[0], "/sys");
    }
}

static void setup_mounts(int rootfd, const struct sandbox_fs *fs)
{
    for (size_t i = 0; i < fs->mount_count; i++) {
        const struct mount_op *m = &fs->mounts[i];
        switch (m->kind) {
        case MOUNT_PROC:
            setup_proc(rootfd, fs->root, m->target, fs->confined);
            break;
        case MOUNT_SYS:
            setup_sys(rootfd, fs->root, m->target, fs->own_network, fs->confined);
            break;
        case MOUNT_DEV:
            setup_dev(rootfd, fs->root, m->target, fs->confined);
            break;
        case MOUNT_RO_BIND:
        case MOUNT_BIND:
            bind_mount(rootfd, fs->root, m, m->kind == MOUNT_RO_BIND);
            break;
        case MOUNT_OVERLAY:
            overlay_mount(rootfd, fs->root, m);
            break;
        case MOUNT_TMPFS:
            tmpfs_mount(rootfd, fs->root, m);
            break;
        }
    }
}

void enter_root(const struct sandbox_fs *fs)
{
    /* pivot_root needs the new root to be a mount point: the rootfs bound onto itself. */
    int under = open_source(fs->root, true, "root");
    char path[64];
    fd_path(path, sizeof path, under);
    mount_on_fd(path, under, NULL, MS_BIND | MS_REC, NULL, "the rootfs onto itself");
    close(under);
    int rootfd = open_source(fs->root, true, "root");
    if (fs->confined) {
        /* Device nodes a step makes with mknod cannot be opened, as Docker's device cgroup refuses them. */
        restrict_mount(rootfd, DD_MOUNT_ATTR_NODEV, false, "the rootfs");
    }
    setup_mounts(rootfd, fs);

    /* pivot_root(".", ".") stacks the old root on the new one; detaching it leaves no path back
     * to the host's tree in this mount namespace (a chroot could be left with a second chroot). */
    if (fchdir(rootfd) != 0) {
        die(EXIT_SETUP, "entering the root %s: %s", fs->root, error_text(errno));
    }
    close(rootfd);
    if (syscall(SYS_pivot_root, ".", ".") != 0) {
        die(EXIT_SETUP, "pivot_root into %s: %s", fs->root, error_text(errno));
    }
    if (umount2(".", MNT_DETACH) != 0) {
        die(EXIT_SETUP, "detaching the host's root: %s", error_text(errno));
    }
    if (chdir("/") != 0) {
        die(EXIT_SETUP, "chdir /: %s", error_text(errno));
    }
}
