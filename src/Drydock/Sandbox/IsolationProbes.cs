using System.Runtime.Versioning;

namespace Drydock.Sandbox;

/// <summary>What choosing an <see cref="Isolation"/> looks at on this machine; tests give made-up answers.</summary>
/// <param name="NamespacesRefused">Why the chroot isolation's namespaces and mounts are refused here, or null when they are allowed.</param>
/// <param name="ContainerSign">The first sign that this process runs in a container (<see cref="ContainerSigns"/>), or null.</param>
public sealed record IsolationProbes(Func<CancellationToken, Task<string?>> NamespacesRefused, Func<string?> ContainerSign)
{
    /// <summary>This machine: the launcher tries the namespaces in a process of its own.</summary>
    [SupportedOSPlatform("linux")]
    public static IsolationProbes Of(Func<string, string?> environment) =>
        new(new Launcher(Launcher.DefaultPath).ProbeNamespacesAsync, ContainerSigns.Of(environment).Find);
}
