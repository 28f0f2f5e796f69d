using System.Diagnostics;

namespace Drydock.Context.Remote;

/// <summary>What one git command printed, credentials already taken out.</summary>
internal sealed record GitResult(int ExitCode, string Output, string Error)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>git's own explanation: its error lines joined, for a message of ours to quote.</summary>
    public string Reason()
    {
        var lines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith("hint:", StringComparison.Ordinal))
            .ToArray();
        return lines.Length == 0 ? $"git exited with {ExitCode}" : string.Join("; ", lines);
    }
}

/// <summary>
/// Runs the host's <c>git</c> for ADD of a git source. It never asks anyone anything (no terminal
/// prompt, ssh in batch mode), so a build without credentials fails instead of hanging; the user's
/// git configuration, credential helpers and ssh agent still apply. Whatever git prints passes
/// through <see cref="Redact"/>, so a token in the remote's URL never reaches a message.
/// </summary>
internal sealed class GitCommand(string remote, string? sshAuthSocket, bool skipTlsVerify = false)
{
    private readonly string? _userInfo = Uri.TryCreate(remote, UriKind.Absolute, out var url) && url.UserInfo.Length > 0 ? url.UserInfo : null;

    /// <summary>Runs <c>git ARGS</c> in <paramref name="directory"/>; a failure is a result, not an exception.</summary>
    /// <exception cref="GitSourceException">git is not installed.</exception>
    public async Task<GitResult> RunAsync(string directory, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["GIT_TERMINAL_PROMPT"] = "0",
                ["LC_ALL"] = "C",
            },
        };

        // Local repositories are no build input: a submodule must not read host files.
        string[] insecure = skipTlsVerify ? ["-c", "http.sslVerify=false"] : [];
        foreach (var argument in (string[])["-c", "protocol.file.allow=never", .. insecure, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        // git inherits this process's environment: the user's own ssh command, if any, wins.
        if (!start.Environment.ContainsKey("GIT_SSH_COMMAND") && !start.Environment.ContainsKey("GIT_SSH"))
        {
            start.Environment["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes";
        }

        if (sshAuthSocket is not null)
        {
            start.Environment["SSH_AUTH_SOCK"] = sshAuthSocket;
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new GitSourceException($"cannot run git: {e.Message}; git sources (ADD of a repository, a git:// context) need the git command on the PATH");
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return new GitResult(process.ExitCode, Redact(await output.ConfigureAwait(false)), Redact(await error.ConfigureAwait(false)));
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    /// <summary>Runs git and returns its output, or fails with <paramref name="what"/> and git's reason.</summary>
    /// <exception cref="GitSourceException">git failed.</exception>
    public async Task<string> RunCheckedAsync(string directory, string what, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var result = await RunAsync(directory, arguments, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.Output : throw new GitSourceException($"{what}: {result.Reason()}");
    }

    /// <summary>The text with the remote's user:password replaced, in the forms git may print it.</summary>
    public string Redact(string text)
    {
        if (_userInfo is null)
        {
            return text;
        }

        // A token alone ("TOKEN:") may be printed without its colon, as "TOKEN@".
        foreach (var form in (string[])[_userInfo, Uri.UnescapeDataString(_userInfo), _userInfo.TrimEnd(':') + "@", Uri.UnescapeDataString(_userInfo).TrimEnd(':') + "@"])
        {
            text = text.Replace(form, form.EndsWith('@') ? "xxxxx@" : "xxxxx", StringComparison.Ordinal);
        }

        return text;
    }
}

/// <summary>A git source that cannot be fetched or checked out; the message says why and what to do.</summary>
internal sealed class GitSourceException(string message) : Exception(message);
