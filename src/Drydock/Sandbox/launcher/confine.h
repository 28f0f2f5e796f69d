/* Docker's default confinement: capabilities and seccomp. */
#ifndef DRYDOCK_CONFINE_H
#define DRYDOCK_CONFINE_H

/* Confines the calling process, and all it starts, as Docker confines a container's processes:
 * the bounding, permitted and effective capability sets reduced to Docker's 14 defaults, no
 * inheritable or ambient capabilities, and Docker's default seccomp profile. A later switch to a
 * non-root user clears the permitted set, as it does in Docker. Needs CAP_SYS_ADMIN and
 * CAP_SETPCAP on entry; dies with EXIT_SETUP on failure. */
void confine_to_container_defaults(void);

#endif
