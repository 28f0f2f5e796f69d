using System.Diagnostics;
using System.Text;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>How to run one tool.</summary>
public sealed record ToolOptions
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    public string? WorkingDirectory { get; init; }

    /// <summary>Variables to set (a null value removes the variable).</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>Text written to the tool's standard input, which is then closed.</summary>
    public string? StandardInput { get; init; }

    /// <summary>A file whose bytes are written to the tool's standard input (a tar archive), which is then closed.</summary>
    public string? StandardInputFile { get; init; }

    /// <summary>Strings (passwords) replaced by *** in every message this runner makes.</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];
}

/// <summary>What a tool did.</summary>
public sealed record ToolResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Throws a <see cref="ToolFailedException"/> unless the tool exited with 0.</summary>
    public ToolResult EnsureSuccess() => Succeeded ? this : throw new ToolFailedException(this);

    public override string ToString() =>
        $"{CommandLine}\nexited {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n--- stdout ---\n{Tail(StandardOutput)}\n--- stderr ---\n{Tail(StandardError)}";

    private static string Tail(string text) => text.Length <= 4000 ? text.TrimEnd() : "…" + text[^4000..].TrimEnd();
}

public sealed class ToolFailedException(ToolResult result) : Exception($"A tool failed: {result}")
{
    public ToolResult Result { get; } = result;
}

/// <summary>
/// Runs an external tool (skopeo, umoci, openssl, tar…) with a timeout and captured output, for
/// tests that check Drydock with independent tools. Arguments are passed as a list, never through a shell.
/// </summary>
public static class ToolRunner
{
    /// <summary>Runs the tool and returns what happened, whatever its exit code.</summary>
    public static async Task<ToolResult> RunAsync(string fileName, IEnumerable<string> arguments, ToolOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ToolOptions();
        var args = arguments.ToArray();
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = options.WorkingDirectory ?? "",
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in options.Environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var commandLine = Mask(string.Join(' ', new[] { fileName }.Concat(args).Select(Quote)), options.Secrets);
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Cannot start {fileName} (is it installed?): {e.Message}", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (options.StandardInput is not null)
        {
            await process.StandardInput.WriteAsync(options.StandardInput).ConfigureAwait(false);
        }

        if (options.StandardInputFile is not null)
        {
            await using var input = File.OpenRead(options.StandardInputFile);
            await input.CopyToAsync(process.StandardInput.BaseStream, cancellationToken).ConfigureAwait(false);
        }

        process.StandardInput.Close();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{commandLine} did not finish within {options.Timeout.TotalSeconds:0} s.\n--- stdout ---\n{Mask(stdout.ToString(), options.Secrets)}\n--- stderr ---\n{Mask(stderr.ToString(), options.Secrets)}");
        }

        // The parameterless wait drains the asynchronous output readers.
        process.WaitForExit();
        return new ToolResult(commandLine, process.ExitCode, Mask(stdout.ToString(), options.Secrets), Mask(stderr.ToString(), options.Secrets), stopwatch.Elapsed);
    }

    /// <summary>Runs the tool and throws a readable <see cref="ToolFailedException"/> unless it exits with 0.</summary>
    public static async Task<ToolResult> RunCheckedAsync(string fileName, IEnumerable<string> arguments, ToolOptions? options = null, CancellationToken cancellationToken = default) =>
        (await RunAsync(fileName, arguments, options, cancellationToken).ConfigureAwait(false)).EnsureSuccess();

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@,+%".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''") + "'";

    private static string Mask(string text, IReadOnlyList<string> secrets) =>
        secrets.Where(s => s.Length > 0).Aggregate(text, (current, secret) => current.Replace(secret, "***"));
}
