using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;

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
public sealed partial class ChrootSandbox : ISandbox
{
    /// <summary>The launcher's file name, next to drydock.dll in every build and publish output.</summary>
    public const string LauncherFileName = "drydock-run";

    // The launcher's exit code when it could not set the sandbox up (its message is on its stderr).
    private const int LauncherSetupFailure = 125;
    // The command could not be executed; the launcher's last line of output says why.
    private const int CannotExecute = 126;
    private const int MaxLauncherMessageChars = 16 * 1024;

    // How long a cancelled launcher gets to kill the namespace and exit before it is killed outright.
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(5);

    private readonly string _launcherPath;

    public ChrootSandbox()
        : this(Path.Combine(AppContext.BaseDirectory, LauncherFileName))
    {
    }

    /// <param name="launcherPath">Where drydock-run is, when not next to this assembly.</param>
    public ChrootSandbox(string launcherPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(launcherPath);
        _launcherPath = launcherPath;
    }

    public async Task<int> RunAsync(SandboxRequest request, Action<string> onOutputLine, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(onOutputLine);
        Validate(request);
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
                var arguments = new List<string>
                {
                    "--root", root,
                    "--cwd", request.WorkingDirectory,
                    "--uid", request.User.Uid.ToString(CultureInfo.InvariantCulture),
                    "--gid", request.User.Gid.ToString(CultureInfo.InvariantCulture),
                    "--hostname", request.Hostname,
                    "--env-stdin",
                    "--merge-stderr",
                    "--proc", mountPoints.Directory("/proc"),
                    "--sys", mountPoints.Directory("/sys"),
                    "--dev", mountPoints.Directory("/dev"),
                    "--ro-bind", hostsSource, mountPoints.File("/etc/hosts"),
                    "--ro-bind", resolvSource, mountPoints.File("/etc/resolv.conf"),
                };
                if (request.User.SupplementaryGroups.Count > 0)
                {
                    arguments.Add("--groups");
                    arguments.Add(string.Join(',', request.User.SupplementaryGroups));
                }

                if (request.Network == SandboxNetwork.None)
                {
                    arguments.Add("--net-none");
                }

                if (request.Security == SandboxSecurity.Insecure)
                {
                    arguments.Add("--insecure");
                }

                arguments.AddRange(LauncherMounts.Arguments(request.Mounts, mountPoints, scratch));

                arguments.Add("--");
                arguments.AddRange(request.Argv);
                mountPoints.SetupComplete();

                string? lastLine = null;
                var exitCode = await LaunchAsync(arguments, request.Environment, line => onOutputLine(lastLine = line), ct).ConfigureAwait(false);
                completed = true;
                return exitCode == CannotExecute && lastLine is not null && ExecFormatError().Match(lastLine) is { Success: true } match
                    ? throw new ExecFormatException(match.Groups[1].Value)
                    : exitCode;
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

    private async Task<int> LaunchAsync(
        List<string> arguments, IReadOnlyList<string> environment, Action<string> onOutputLine, CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo(_launcherPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The command gets exactly the request's environment (sent on stdin); the launcher needs none.
        startInfo.Environment.Clear();

        using var process = StartLauncher(startInfo);
        // The launcher's stdin carries the environment and then stays open as its lifeline:
        // closing it makes the launcher kill the command's namespace and exit.
        var lifeline = process.StandardInput.BaseStream;
        var output = OutputLines.PumpAsync(process.StandardOutput.BaseStream, onOutputLine);
        var launcherMessages = ReadBoundedAsync(process.StandardError);
        try
        {
            await SendEnvironmentAsync(lifeline, environment, ct).ConfigureAwait(false);
            var exited = process.WaitForExitAsync(ct);
            if (await Task.WhenAny(exited, output).ConfigureAwait(false) == output && output.IsFaulted)
            {
                await output.ConfigureAwait(false); // the callback threw: stop, and let that be the error
            }

            await exited.ConfigureAwait(false);
        }
        catch
        {
            await StopAsync(process, lifeline).ConfigureAwait(false);
            await Task.WhenAll(output, launcherMessages).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }

        // Every process holding the pipes lived in the namespace, gone now: both reads end promptly.
        await output.ConfigureAwait(false);
        var message = (await launcherMessages.ConfigureAwait(false)).TrimEnd();
        await lifeline.DisposeAsync().ConfigureAwait(false);

        var exitCode = process.ExitCode;
        if (exitCode == LauncherSetupFailure && message.Length > 0)
        {
            throw new SandboxException(message);
        }

        if (message.Length > 0)
        {
            // Not expected from a successful launch, but never dropped.
            foreach (var line in message.Split('\n'))
            {
                onOutputLine(line);
            }
        }

        return exitCode;
    }

    private Process StartLauncher(ProcessStartInfo startInfo)
    {
        try
        {
            return Process.Start(startInfo) ?? throw new SandboxException($"could not start the sandbox launcher {_launcherPath}");
        }
        catch (Win32Exception e)
        {
            throw new SandboxException($"could not start the sandbox launcher {_launcherPath}: {e.Message}", e);
        }
    }

    private static async Task SendEnvironmentAsync(Stream lifeline, IReadOnlyList<string> environment, CancellationToken ct)
    {
        var bytes = new List<byte>();
        foreach (var entry in environment)
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(entry));
            bytes.Add(0);
        }

        bytes.Add(0); // an empty entry ends the list
        try
        {
            await lifeline.WriteAsync(bytes.ToArray(), ct).ConfigureAwait(false);
            await lifeline.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The launcher exited before reading (a bad argument, say): its exit code and message tell why.
        }
    }

    private static async Task StopAsync(Process process, Stream lifeline)
    {
        try
        {
            await lifeline.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Already gone.
        }

        using var grace = new CancellationTokenSource(CancelGrace);
        try
        {
            await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task<string> ReadBoundedAsync(StreamReader reader)
    {
        var text = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
        {
            text.Append(buffer, 0, Math.Min(read, MaxLauncherMessageChars - text.Length));
        }

        return text.ToString();
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

        if (!File.Exists(_launcherPath))
        {
            throw new SandboxException(
                $"The sandbox launcher {LauncherFileName} is missing at {_launcherPath}; it is built with Drydock " +
                "on Linux (install gcc and libc6-dev: scripts/install-deps.sh) and must sit next to drydock.dll.");
        }
    }

    private static void Validate(SandboxRequest request)
    {
        if (request.Argv.Count == 0 || request.Argv[0].Length == 0)
        {
            throw new ArgumentException("The command to run is empty.", nameof(request));
        }

        if (request.Argv.Any(a => a.Contains('\0', StringComparison.Ordinal)))
        {
            throw new ArgumentException("A command argument contains a NUL character.", nameof(request));
        }

        foreach (var entry in request.Environment)
        {
            if (entry.IndexOf('=', StringComparison.Ordinal) <= 0 || entry.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"Environment entries must be KEY=VALUE without NUL characters: '{Name(entry)}'.", nameof(request));
            }
        }

        if (!request.WorkingDirectory.StartsWith('/') || request.WorkingDirectory.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The working directory must be an absolute path: '{request.WorkingDirectory}'.", nameof(request));
        }

        if (request.Hostname.Length is 0 or > 64 || !request.Hostname.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.'))
        {
            throw new ArgumentException($"Invalid host name '{request.Hostname}'.", nameof(request));
        }

        // Only the name: an environment value may be a secret.
        static string Name(string entry) => entry.Split('=', 2)[0];
    }

    /// <summary>The launcher's report of ENOEXEC from execve (see exec_failed in drydock-run.c).</summary>
    [GeneratedRegex("^drydock-run: exec \"(.*)\": exec format error$")]
    private static partial Regex ExecFormatError();
}
