using System.Runtime.Versioning;

namespace Drydock.Sandbox;

/// <summary>
/// Runs a command with a rootfs as its root (pivot_root, the host's tree detached), in new mount,
/// PID, IPC and UTS namespaces, with /proc, a minimal /dev, a read-only /sys, /etc/hosts and
/// /etc/resolv.conf provided, plus the request's own mounts, sharing the host's network or with
/// only a loopback interface of its own, and confined as a Docker container is (capabilities,
/// seccomp, masked /proc). The namespaces are entered by the native launcher drydock-run (shipped
/// next to this assembly), never by this multi-threaded process: see Sandbox/launcher/drydock-run.c.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ChrootSandbox : ISandbox
{
    /// <summary>The launcher's file name, next to drydock.dll in every build and publish output.</summary>
    public const string LauncherFileName = Launcher.FileName;

    private readonly Launcher _launcher;

    public ChrootSandbox()
        : this(Launcher.DefaultPath)
    {
    }

    /// <param name="launcherPath">Where drydock-run is, when not next to this assembly.</param>
    public ChrootSandbox(string launcherPath)
    {
        _launcher = new Launcher(launcherPath);
    }

    public async Task<int> RunAsync(SandboxRequest request, Action<string> onOutputLine, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(onOutputLine);
        Launcher.Validate(request);
        EnsureSupported();
        ct.ThrowIfCancellationRequested();

        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(request.Rootfs));
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The rootfs '{root}' does not exist.");
        }

        // Outside the rootfs, so nothing of ours is ever part of a snapshot.
        var scratch = Directory.CreateTempSubdirectory("drydock-run-").FullName;
        try
        {
            var hostsSource = WriteHostsFile(scratch, request.Hostname);
            var resolvSource = await CopyResolvConfAsync(scratch, ct).ConfigureAwait(false);
            var mountPoints = new MountPoints(root);
            var completed = false;
            try
            {
                var arguments = Launcher.ProcessArguments(request, root);
                arguments.AddRange(
                [
                    "--hostname", request.Hostname,
                    "--proc", mountPoints.Directory("/proc"),
                    "--sys", mountPoints.Directory("/sys"),
                    "--dev", mountPoints.Directory("/dev"),
                    "--ro-bind", hostsSource, mountPoints.File("/etc/hosts"),
                    "--ro-bind", resolvSource, mountPoints.File("/etc/resolv.conf"),
                ]);
                arguments.AddRange(LauncherMounts.Arguments(request.Mounts, mountPoints, scratch));

                arguments.Add("--");
                arguments.AddRange(request.Argv);
                mountPoints.SetupComplete();

                var exitCode = await _launcher.RunAsync(arguments, request.Environment, onOutputLine, ct).ConfigureAwait(false);
                completed = true;
                return exitCode;
            }
            finally
            {
                try
                {
                    await mountPoints.RestoreAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (!completed && e is IOException or UnauthorizedAccessException)
                {
                    // The run already failed; its exception says more than a failed clean-up.
                }
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static string WriteHostsFile(string scratch, string hostname)
    {
        var path = Path.Combine(scratch, "hosts");
        File.WriteAllText(path, $"""
            127.0.0.1	localhost
            ::1	localhost ip6-localhost ip6-loopback
            127.0.1.1	{hostname}

            """.ReplaceLineEndings("\n"));
        MakeWorldReadable(path);
        return path;
    }

    private static async Task<string> CopyResolvConfAsync(string scratch, CancellationToken ct)
    {
        // The host's resolvers are the right ones: RUN shares the host's network namespace, so even
        // a loopback resolver such as systemd-resolved's 127.0.0.53 is reachable from inside (and
        // with --network=none nothing is, whatever the file says).
        var path = Path.Combine(scratch, "resolv.conf");
        const string hostResolvConf = "/etc/resolv.conf";
        var content = File.Exists(hostResolvConf)
            ? await File.ReadAllBytesAsync(hostResolvConf, ct).ConfigureAwait(false)
            : [];
        await File.WriteAllBytesAsync(path, content, ct).ConfigureAwait(false);
        MakeWorldReadable(path);
        return path;
    }

    private static void MakeWorldReadable(string path)
        => File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

    private void EnsureSupported()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The chroot isolation needs Linux.");
        }

        if (!Environment.IsPrivilegedProcess)
        {
            throw new SandboxException(
                "The chroot isolation needs root (mount and PID namespaces, chroot); running it rootless in a " +
                "user namespace is not supported yet. Run as root (in a container, as kaniko's executor runs).");
        }

        _launcher.EnsureExists();
    }
}
