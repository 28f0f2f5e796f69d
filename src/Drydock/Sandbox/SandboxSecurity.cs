namespace Drydock.Sandbox;

/// <summary>The confinement of a command, named as BuildKit's <c>RUN --security</c> values.</summary>
public enum SandboxSecurity
{
    /// <summary>
    /// What a Docker container gets: its 14 default capabilities (none for a non-root user), its
    /// default seccomp profile, /proc and /sys masked and read-only where Docker makes them so, and
    /// no device but the few the sandbox's /dev provides.
    /// </summary>
    Sandbox,

    /// <summary>
    /// A privileged step: every capability of the builder, no seccomp filter, /proc and /sys
    /// unmasked and writable. Only for a build that was explicitly allowed to run such steps.
    /// </summary>
    Insecure,
}
