/*
 * Escape attempts that need more than a shell, for SandboxEscapeTests: compiled statically by the
 * test and run inside a RUN step. Each attempt prints one line and exits 0 when it got through, 1
 * when it was refused.
 *
 *   escape chroot SENTINEL   the double-chroot escape, then looks for a host file
 *   escape ptrace PID        attaches to a process outside the sandbox
 *   escape clock             sets the system clock (to the time it reads, so an escape changes nothing)
 *   escape whoami            prints the effective uid and capabilities (for a setuid copy)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static int refused(const char *what)
{
    printf("%s: %s\n", what, strerror(errno));
    return 1;
}

static int double_chroot(const char *sentinel)
{
    if (mkdir("/tmp/jail", 0755) != 0 && errno != EEXIST) {
        return refused("mkdir");
    }
    if (chroot("/tmp/jail") != 0) {
        return refused("chroot");
    }
    /* The working directory is now outside the root: walk up as far as the tree goes. */
    for (int i = 0; i < 256; i++) {
        if (chdir("..") != 0) {
            return refused("chdir");
        }
    }
    if (chroot(".") != 0) {
        return refused("second chroot");
    }
    if (access(sentinel, F_OK) != 0) {
        return refused("the host's tree");
    }
    printf("%s is visible\n", sentinel);
    return 0;
}

static int attach(const char *pid)
{
    if (ptrace(PTRACE_ATTACH, (pid_t)atoi(pid), NULL, NULL) == 0) {
        printf("attached to %s\n", pid);
        return 0;
    }
    return refused("ptrace");
}

static int set_clock(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (clock_settime(CLOCK_REALTIME, &now) == 0) {
        printf("set the clock\n");
        return 0;
    }
    return refused("clock_settime");
}

static int whoami(void)
{
    char line[256];
    FILE *status = fopen("/proc/self/status", "r");
    printf("euid=%u", (unsigned)geteuid());
    while (status && fgets(line, sizeof line, status)) {
        if (strncmp(line, "CapEff:", 7) == 0) {
            printf(" CapEff=%s", line + 8);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "chroot") == 0) {
        return double_chroot(argv[2]);
    }
    if (argc == 3 && strcmp(argv[1], "ptrace") == 0) {
        return attach(argv[2]);
    }
    if (argc == 2 && strcmp(argv[1], "clock") == 0) {
        return set_clock();
    }
    if (argc == 2 && strcmp(argv[1], "whoami") == 0) {
        return whoami();
    }
    fprintf(stderr, "usage: escape chroot SENTINEL | ptrace PID | clock | whoami\n");
    return 2;
}
