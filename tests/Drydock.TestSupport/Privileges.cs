namespace Drydock.TestSupport;

/// <summary>Whether this test process may do what only root may: chroot, mount, mknod, chown to any id.</summary>
public static class Privileges
{
    /// <summary>Why a root-only test is skipped here, or null when the process is root.</summary>
    public static string? NotRootReason { get; } = Environment.IsPrivilegedProcess
        ? null
        : "needs root (namespaces, mounts, chroot, chown to any id, device nodes); run the suite as root to include it";
}
