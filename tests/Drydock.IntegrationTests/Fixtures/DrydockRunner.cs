using System.Text.RegularExpressions;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>
/// Runs the real <c>drydock</c> command as a process, as a user or a CI job would, so the end-to-end
/// tests cover flag parsing, exit codes and what reaches stdout and stderr.
/// </summary>
public static partial class DrydockRunner
{
    /// <summary>The apphost built next to the tests (drydock-run, the RUN launcher, sits beside it).</summary>
    public static string ExecutablePath { get; } = Path.Combine(AppContext.BaseDirectory, "drydock");

    /// <summary>Builds can pull, run and push several layers; leave room for a slow, shared machine.</summary>
    public static TimeSpan Timeout { get; } = TimeSpan.FromMinutes(3);

    /// <summary>Runs <c>drydock build ARGS</c>, with the bytes of <paramref name="standardInputFile"/> on its standard input when given.</summary>
    public static Task<ToolResult> BuildAsync(
        IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? standardInputFile = null, CancellationToken cancellationToken = default) =>
        RunAsync(ExecutablePath, ["build", .. arguments], environment, standardInputFile, cancellationToken);

    /// <summary>
    /// Runs <paramref name="executable"/> (the apphost, or a link to it) with exactly these arguments.
    /// DOCKER_CONFIG points to an empty directory unless the caller sets it, so the host's own
    /// ~/.docker/config.json never takes part in a test.
    /// </summary>
    /// <remarks>Secrets are deliberately not masked: tests must be able to see a leaked password.</remarks>
    public static async Task<ToolResult> RunAsync(
        string executable, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? standardInputFile = null, CancellationToken cancellationToken = default)
    {
        using var emptyDockerConfig = new TempDirectory("drydock-noauth-");
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal) { ["DOCKER_CONFIG"] = emptyDockerConfig.Path };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[name] = value;
        }

        return await ToolRunner.RunAsync(executable, arguments, new ToolOptions { Environment = variables, Timeout = Timeout, StandardInputFile = standardInputFile }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The digest a successful build printed: stdout is the digest and nothing else.</summary>
    public static string Digest(ToolResult result)
    {
        Assert.True(result.Succeeded, $"drydock failed:\n{result}");
        var digest = result.StandardOutput.Trim();
        Assert.True(DigestPattern().IsMatch(digest), $"stdout must hold the manifest digest and nothing else:\n{result}");
        return digest;
    }

    /// <summary>The lines drydock marked as errors (<c>ERROR message</c>) on stderr.</summary>
    public static IReadOnlyList<string> ErrorLines(ToolResult result) =>
        result.StandardError.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("ERROR ", StringComparison.Ordinal)).ToArray();

    /// <summary>The failure contract: exit code 1 (a failed RUN's own code), nothing on stdout, exactly one ERROR line (returned).</summary>
    public static string AssertOneError(ToolResult result, int exitCode = 1)
    {
        Assert.True(result.ExitCode == exitCode, $"expected exit code {exitCode}:\n{result}");
        Assert.True(result.StandardOutput.Length == 0, $"stdout must stay empty on failure:\n{result}");
        var errors = ErrorLines(result);
        Assert.True(errors.Count == 1, $"expected exactly one ERROR line:\n{result}");
        return errors[0];
    }

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex DigestPattern();
}
