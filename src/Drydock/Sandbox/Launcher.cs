using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;

namespace Drydock.Sandbox;

/// <summary>
/// Starts drydock-run (Sandbox/launcher) for one command and relays it: the environment on its
/// stdin (kept open as a lifeline), its output line by line, its setup failures as
/// <see cref="SandboxException"/>s. Both isolations run commands through it, with different arguments.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed partial class Launcher
{
    public const string FileName = "drydock-run";

    // The launcher's exit code when it could not set the sandbox up (its message is on its stderr).
    private const int LauncherSetupFailure = 125;
    // The command could not be executed; the launcher's last line of output says why.
    private const int CannotExecute = 126;
    private const int MaxLauncherMessageChars = 16 * 1024;

    // How long a cancelled launcher gets to kill the command and exit before it is killed outright.
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(5);

    private readonly string _path;

    public Launcher(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = path;
    }

    /// <summary>Next to this assembly, in every build and publish output (never taken from the image's root).</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, FileName);

    public void EnsureExists()
    {
        if (!File.Exists(_path))
        {
            throw new SandboxException(
                $"The sandbox launcher {FileName} is missing at {_path}; it is built with Drydock " +
                "on Linux (install gcc and libc6-dev: scripts/install-deps.sh) and must sit next to drydock.dll.");
        }
    }

    /// <summary>
    /// Whether the namespaces and mounts of the chroot isolation are allowed here, tried by the
    /// launcher in a process of its own (this threaded process could not try them): null when they
    /// are, else the refusal.
    /// </summary>
    public async Task<string?> ProbeNamespacesAsync(CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo(_path) { UseShellExecute = false, RedirectStandardError = true };
        startInfo.ArgumentList.Add("--probe");
        startInfo.Environment.Clear();
        using var process = StartLauncher(startInfo);
        var refusal = await process.StandardError.ReadToEndAsync(ct).ConfigureAwait(false);
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        return process.ExitCode == 0 ? null : refusal.Trim() is { Length: > 0 } text ? text : $"{FileName} --probe exited with {process.ExitCode}";
    }

    /// <summary>Runs the launcher with <paramref name="arguments"/> (ending in -- and the command) and returns the command's exit code.</summary>
    /// <exception cref="ExecFormatException">The kernel cannot execute the command's program.</exception>
    public async Task<int> RunAsync(IReadOnlyList<string> arguments, IReadOnlyList<string> environment, Action<string> onOutputLine, CancellationToken ct)
    {
        string? lastLine = null;
        var exitCode = await LaunchAsync(arguments, environment, line => onOutputLine(lastLine = line), ct).ConfigureAwait(false);
        return exitCode == CannotExecute && lastLine is not null && ExecFormatError().Match(lastLine) is { Success: true } match
            ? throw new ExecFormatException(match.Groups[1].Value)
            : exitCode;
    }

    private async Task<int> LaunchAsync(
        IReadOnlyList<string> arguments, IReadOnlyList<string> environment, Action<string> onOutputLine, CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo(_path)
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
            return Process.Start(startInfo) ?? throw new SandboxException($"could not start the sandbox launcher {_path}");
        }
        catch (Win32Exception e)
        {
            throw new SandboxException($"could not start the sandbox launcher {_path}: {e.Message}", e);
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

    public static void Validate(SandboxRequest request)
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

    /// <summary>
    /// The launcher arguments every isolation passes alike: root, working directory, user and
    /// groups, network, confinement, and how the environment and output travel.
    /// </summary>
    public static List<string> ProcessArguments(SandboxRequest request, string root)
    {
        var arguments = new List<string>
        {
            "--root", root,
            "--cwd", request.WorkingDirectory,
            "--uid", request.User.Uid.ToString(CultureInfo.InvariantCulture),
            "--gid", request.User.Gid.ToString(CultureInfo.InvariantCulture),
            "--env-stdin",
            "--merge-stderr",
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

        return arguments;
    }

    /// <summary>The launcher's report of ENOEXEC from execve (see exec_failed in drydock-run.c).</summary>
    [GeneratedRegex("^drydock-run: exec \"(.*)\": exec format error$")]
    private static partial Regex ExecFormatError();
}
