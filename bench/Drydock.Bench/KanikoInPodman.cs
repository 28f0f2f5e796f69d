using System.Globalization;

namespace Drydock.Bench;

/// <summary>
/// A kaniko executor image run by podman as a CI runner runs it (TESTBED.md): root in the container
/// with Docker's 14 default capabilities and seccomp filter, the host's network (the registry is on
/// 127.0.0.1), the context bind-mounted. Podman's state lives under the bench's directory; each of
/// its commands runs in a private mount namespace without /sys/fs/cgroup/unified, which the OCI
/// runtime refuses on these hybrid-cgroup machines, and whose overlay mounts end with it.
/// </summary>
internal sealed class KanikoInPodman(string stateDirectory, string image, string registryHost)
{
    // $0 is the state directory; "$@" podman's own arguments.
    private const string PrivateNamespaceScript =
        """
        umount /sys/fs/cgroup/unified 2>/dev/null
        exec podman --root "$0/root" --runroot "$0/run" --tmpdir "$0/tmp" --storage-driver overlay \
          --cgroup-manager cgroupfs --events-backend file "$@"
        """;

    private const string ContextMount = "/workspace";

    private const string OutputMount = "/bench-out";

    private string? _id;

    /// <summary>
    /// Finds the image in podman's storage, or pulls it (a registry reference, or a transport such as
    /// <c>oci:DIR:TAG</c> or <c>docker-archive:FILE</c>), and runs it by its ID from then on: a pulled
    /// layout is named after its path, not by the reference given.
    /// </summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var inspected = await PodmanAsync(["image", "inspect", "--format", "{{.Id}}", image], cancellationToken).ConfigureAwait(false);
        var found = inspected.ExitCode == 0 ? inspected : (await PodmanAsync(["pull", "-q", image], cancellationToken).ConfigureAwait(false)).EnsureSuccess();
        _id = found.StandardOutput.Trim().Split('\n')[^1];
    }

    /// <summary>What starting and removing a container costs: <c>executor version</c>, timed as the builds are.</summary>
    public async Task<TimedRun> OverheadAsync(CancellationToken cancellationToken) =>
        (await PodmanAsync([.. RunPrefix(), Id, "version"], cancellationToken).ConfigureAwait(false)).EnsureSuccess();

    /// <summary>
    /// Builds <paramref name="context"/> with kaniko's registry cache into <paramref name="destination"/>,
    /// timed around podman, in a new container (a fresh runner). The peak resident set is the
    /// executor's own (VmHWM sampled from /proc): it runs under podman's conmon, out of GNU time's reach.
    /// </summary>
    public async Task<(TimedRun Run, string Digest)> BuildAsync(string context, string outputDirectory, string destination, CancellationToken cancellationToken)
    {
        if (Directory.Exists(outputDirectory))
        {
            Directory.Delete(outputDirectory, recursive: true);
        }

        Directory.CreateDirectory(outputDirectory);
        string[] build =
        [
            .. RunPrefix(), "--volume", $"{Path.GetFullPath(context)}:{ContextMount}:ro", "--volume", $"{Path.GetFullPath(outputDirectory)}:{OutputMount}",
            Id, "--context", $"dir://{ContextMount}", "--dockerfile", $"{ContextMount}/Dockerfile", "--destination", destination,
            "--cache=true", "--cache-copy-layers", "--cache-repo", $"{registryHost}/app-kaniko/cache", "--reproducible",
            "--insecure", "--insecure-registry", registryHost, "--skip-tls-verify", "--digest-file", $"{OutputMount}/digest",
        ];
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = SampleExecutorPeakKiBAsync(destination, sampling.Token);
        var run = await PodmanAsync(build, cancellationToken).ConfigureAwait(false);
        await sampling.CancelAsync().ConfigureAwait(false);
        var peakKiB = await sampler.ConfigureAwait(false);
        run.EnsureSuccess();
        var digest = (await File.ReadAllTextAsync(Path.Combine(outputDirectory, "digest"), cancellationToken).ConfigureAwait(false)).Trim();
        return (run with { PeakRssKiB = peakKiB }, digest);
    }

    private string Id => _id ?? throw new InvalidOperationException($"{nameof(PrepareAsync)} first");

    // Podman's 11 default capabilities plus MKNOD, NET_RAW and AUDIT_WRITE are Docker's 14; the
    // ulimits stay under this host's hard limits, which root cannot raise.
    private static string[] RunPrefix() =>
        ["run", "--rm", "--network", "host", "--ulimit", "nofile=1024:20000", "--ulimit", "nproc=4096:4096", "--cap-add", "MKNOD,NET_RAW,AUDIT_WRITE"];

    private Task<TimedRun> PodmanAsync(IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        TimedCommand.RunAsync("unshare", ["--mount", "--propagation", "private", "sh", "-c", PrivateNamespaceScript, stateDirectory, .. arguments], null, cancellationToken);

    /// <summary>
    /// The largest VmHWM of the executor process building <paramref name="destination"/> (found by
    /// its command line, so other builds on the machine do not count), read every 50 ms until cancelled.
    /// </summary>
    private static async Task<long> SampleExecutorPeakKiBAsync(string destination, CancellationToken cancellationToken)
    {
        long peak = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var process in Directory.EnumerateDirectories("/proc"))
            {
                peak = Math.Max(peak, ExecutorHighWaterMarkKiB(process, destination));
            }

            try
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return peak;
    }

    private static long ExecutorHighWaterMarkKiB(string process, string destination)
    {
        try
        {
            var arguments = File.ReadAllText(Path.Combine(process, "cmdline")).Split('\0');
            if (arguments.Length < 2 || !arguments[0].EndsWith("/executor", StringComparison.Ordinal) || !arguments.Contains(destination))
            {
                return 0;
            }

            var line = File.ReadLines(Path.Combine(process, "status")).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not a process, or it ended while being read.
            return 0;
        }
    }
}
