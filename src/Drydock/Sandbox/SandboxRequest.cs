namespace Drydock.Sandbox;

/// <summary>One command to run inside an unpacked image.</summary>
/// <param name="Rootfs">The host directory holding the image's root filesystem.</param>
/// <param name="Argv">The command and its arguments; the command is looked up in the PATH of <paramref name="Environment"/>.</param>
/// <param name="Environment">Exactly the command's environment, as KEY=VALUE entries.</param>
/// <param name="WorkingDirectory">An absolute path inside the image; it must exist.</param>
/// <param name="User">Who the command runs as (see <see cref="UserResolver"/>).</param>
public sealed record SandboxRequest(
    string Rootfs,
    IReadOnlyList<string> Argv,
    IReadOnlyList<string> Environment,
    string WorkingDirectory,
    RunUser User)
{
    /// <summary>The host name the command sees, also listed in its /etc/hosts.</summary>
    public string Hostname { get; init; } = "drydock";

    /// <summary>Mounts for this command only, applied parents first whatever their order here.</summary>
    public IReadOnlyList<SandboxMount> Mounts { get; init; } = [];

    public SandboxNetwork Network { get; init; } = SandboxNetwork.Host;

    /// <summary>
    /// What the command may do: a Docker container's default confinement, or, for BuildKit's
    /// <c>RUN --security=insecure</c> that the build explicitly allowed, none of it.
    /// </summary>
    public SandboxSecurity Security { get; init; } = SandboxSecurity.Sandbox;
}
