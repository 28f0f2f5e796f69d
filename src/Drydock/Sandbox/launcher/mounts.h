/* The sandbox's file system: its mounts, what a container may not see of /proc and /sys, and the
 * pivot into the rootfs. */
#ifndef DRYDOCK_MOUNTS_H
#define DRYDOCK_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mount_kind { MOUNT_PROC, MOUNT_SYS, MOUNT_DEV, MOUNT_RO_BIND, MOUNT_BIND, MOUNT_OVERLAY, MOUNT_TMPFS };

struct mount_op {
    enum mount_kind kind;
    const char *source; /* binds: the source; overlay: the lower directory */
    const char *upper;  /* overlay only */
    const char *work;   /* overlay only */
    uint64_t size;      /* tmpfs only; 0 for the kernel's default */
    const char *target;
};

struct sandbox_fs {
    const char *root;               /* the rootfs, an absolute host path */
    const struct mount_op *mounts;  /* applied in order, targets absolute host paths inside root */
    size_t mount_count;
    bool own_network;               /* the command has a network namespace of its own */
    bool confined;                  /* what a container may not reach is masked, read-only or nodev */
};

/* Mounts everything FS names into its root and makes that root the calling process's "/" with
 * pivot_root, the host's tree unmounted from this mount namespace. Dies with EXIT_SETUP on failure. */
void enter_root(const struct sandbox_fs *fs);

#endif
