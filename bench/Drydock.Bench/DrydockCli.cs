namespace Drydock.Bench;

/// <summary>
/// The real <c>drydock</c> command (built beside the bench, with its RUN launcher drydock-run), run
/// as a separate process the way a CI job runs it, against the bench's plain-HTTP registry.
/// </summary>
internal sealed class DrydockCli(string registryHost)
{
    public static string ExecutablePath { get; } = Path.Combine(AppContext.BaseDirectory, "drydock");

    /// <summary>
    /// Runs <c>drydock build --reproducible ARGS</c> timed, as on a fresh CI runner: its temp
    /// directory (where the build's work directory goes), run cache and Docker config are new
    /// directories under <paramref name="runnerDirectory"/>. Throws unless it succeeds.
    /// </summary>
    public async Task<TimedRun> BuildAsync(string runnerDirectory, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        if (Directory.Exists(runnerDirectory))
        {
            Directory.Delete(runnerDirectory, recursive: true);
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["TMPDIR"] = Directory.CreateDirectory(Path.Combine(runnerDirectory, "tmp")).FullName,
            ["XDG_CACHE_HOME"] = Directory.CreateDirectory(Path.Combine(runnerDirectory, "cache")).FullName,
            ["DOCKER_CONFIG"] = Directory.CreateDirectory(Path.Combine(runnerDirectory, "docker")).FullName,
        };

        // Chroot isolation pinned: on this kind of machine (/.dockerenv) in place would mean the host's /.
        string[] common = ["build", "--isolation", "chroot", "--reproducible", "--insecure-registry", registryHost];
        return (await TimedCommand.RunAsync(ExecutablePath, [.. common, .. arguments], environment, cancellationToken).ConfigureAwait(false)).EnsureSuccess();
    }
}
