using System.Runtime.Versioning;

namespace Drydock.Sandbox;

/// <summary>
/// Runs a command in place, as kaniko does where namespaces are refused (an ordinary container):
/// directly in the file system Drydock runs in, with that container's /proc, /dev, /sys,
/// /etc/hosts and /etc/resolv.conf, as the request's user, in its working directory, with exactly
/// its environment, and with Docker's confinement as far as the container allows (its own applies
/// in any case). The command is started by the launcher beside this assembly, never by a program
/// of the root, which the build replaces. Mounts are not made here: the caller puts their content
/// in place, since mount(2) is refused too. A rootfs other than "/" is entered with chroot(2)
/// (which containers allow), so the same code runs against a throwaway root in tests.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class InPlaceSandbox : ISandbox
{
    private readonly Launcher _launcher;

    public InPlaceSandbox()
        : this(Launcher.DefaultPath)
    {
    }

    /// <param name="launcherPath">Where drydock-run is, when not next to this assembly.</param>
    public InPlaceSandbox(string launcherPath)
    {
        _launcher = new Launcher(launcherPath);
    }

    public async Task<int> RunAsync(SandboxRequest request, Action<string> onOutputLine, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(onOutputLine);
        Launcher.Validate(request);
        if (request.Mounts.Count > 0)
        {
            throw new ArgumentException("In place, mounts are put in place by the caller; the request must carry none.", nameof(request));
        }

        _launcher.EnsureExists();
        ct.ThrowIfCancellationRequested();
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(request.Rootfs));
        var arguments = Launcher.ProcessArguments(request, root);
        arguments.Insert(0, "--in-place");
        arguments.Add("--");
        arguments.AddRange(request.Argv);
        return await _launcher.RunAsync(arguments, request.Environment, onOutputLine, ct).ConfigureAwait(false);
    }
}
