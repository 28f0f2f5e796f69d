/* Docker's default confinement: capabilities and seccomp. */
#ifndef DRYDOCK_CONFINE_H
#define DRYDOCK_CONFINE_H

/* Confines the calling process, and all it starts, as Docker confines a container's processes:
 * the bounding, permitted and effective capability sets reduced to Docker's 14 defaults, no
 * inheritable or ambient capabilities, and Docker's default seccomp profile. A later switch to a
 * non-root user clears the permitted set, as it does in Docker. Needs CAP_SYS_ADMIN and
 * CAP_SETPCAP on entry; dies with EXIT_SETUP on failure. */
void confine_to_container_defaults(void);

/* The same confinement taken only as far as the caller's own allows, for a command run in place
 * in a container that refuses namespaces: capabilities the caller lacks stay lacking, the bounding
 * set is reduced only with CAP_SETPCAP, and the seccomp profile is loaded only with CAP_SYS_ADMIN
 * (without it the container's own filter is the one in force). Dies with EXIT_SETUP on failure. */
void confine_as_far_as_allowed(void);

#endif
