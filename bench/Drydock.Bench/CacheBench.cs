namespace Drydock.Bench;

/// <summary>
/// What the layer cache buys a CI pipeline: a realistic two-stage build (<see cref="MultiStageProject"/>)
/// on a Debian base, built once with <c>--cache --cache-copy-layers</c> into an empty cache
/// repository, then rebuilt from a fresh runner (new work directory, nothing local) with everything
/// in the cache, several times. Drydock runs on the host with chroot isolation; kaniko, when
/// KANIKO_EXECUTOR names an executor image, runs the same builds in podman. Prints the seconds and
/// peak resident sets side by side, and whether the issue's targets hold: a cached rebuild costs at
/// most a fifth of kaniko's and under 100 MiB.
/// </summary>
internal static class CacheBench
{
    private const double MaxShareOfKaniko = 0.2;

    private const double MaxPeakMiB = 100;

    private const string KanikoName = "kaniko in podman";

    public static async Task RunAsync(string directory, int runs, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        Directory.CreateDirectory(directory);
        var loadAverage = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        await using var registry = await LocalRegistry.StartAsync(cancellationToken);
        var drydock = new DrydockCli(registry.Host);
        Console.WriteLine($"pushing the base image to {registry.Host} (untimed)");
        var baseImage = await BenchBaseImage.PushAsync(directory, registry.Host, drydock, cancellationToken);
        var context = Path.Combine(directory, "context");
        MultiStageProject.Write(context, baseImage);
        var runners = Path.Combine(directory, "runners");

        var rows = new List<ToolFigures>
        {
            await MeasureAsync("drydock (host, chroot)", runs, async tag =>
            {
                var run = await drydock.BuildAsync(Path.Combine(runners, $"drydock-{tag}"), [
                    "--cache", "--cache-copy-layers", "--cache-repo", $"{registry.Host}/app/cache", "--destination", $"{registry.Host}/app:{tag}", context,
                ], cancellationToken);
                return (run, run.StandardOutput.Trim());
            }),
        };

        var kanikoImage = Environment.GetEnvironmentVariable("KANIKO_EXECUTOR");
        string? overhead = null;
        if (string.IsNullOrEmpty(kanikoImage))
        {
            Console.WriteLine("kaniko: skipped (set KANIKO_EXECUTOR to a kaniko executor image podman can run)");
        }
        else
        {
            var kaniko = new KanikoInPodman(Path.Combine(directory, "podman"), kanikoImage, registry.Host);
            await kaniko.PrepareAsync(cancellationToken);
            var version = await kaniko.OverheadAsync(cancellationToken);

            // Drydock's own executor image is kaniko-compatible: it can stand in, but must not pass for kaniko.
            var name = version.StandardOutput.Contains("Drydock", StringComparison.Ordinal) ? "Drydock executor image in podman" : KanikoName;
            overhead = $"{name}: starting and removing a container (executor version) takes {version.Seconds:0.0} s of each of its figures";
            rows.Add(await MeasureAsync(name, runs, tag => kaniko.BuildAsync(context, Path.Combine(runners, $"kaniko-{tag}"), $"{registry.Host}/app-kaniko:{tag}", cancellationToken)));
        }

        Console.WriteLine();
        Console.WriteLine(
            $"layer cache: first build, then fully cached rebuilds from a fresh runner (median of {runs}) of a two-stage Dockerfile " +
            $"({MultiStageProject.SourceFiles} source files, {MultiStageProject.CacheableSteps} cacheable steps) on Debian bookworm minbase, " +
            $"docker-registry on loopback ({Environment.ProcessorCount} cores, load average {string.Join(' ', loadAverage)} at start)");
        Console.WriteLine("tool                              first (s)  cached (s)  cached/first  peak RSS first (MiB)  peak RSS cached (MiB)  cached steps  same image");
        foreach (var row in rows)
        {
            Console.WriteLine(
                $"{row.Name,-32}  {row.First.Seconds,9:0.00}  {row.CachedSeconds,10:0.00}  {row.CachedSeconds / row.First.Seconds,12:0%}  " +
                $"{row.First.PeakRssMiB,20:0}  {row.CachedPeakMiB,21:0}  {row.CachedSteps,12}  {(row.SameImage ? "yes" : "NO"),10}");
        }

        if (overhead is not null)
        {
            Console.WriteLine(overhead);
        }

        PrintTargets(rows);
    }

    private static void PrintTargets(List<ToolFigures> rows)
    {
        var drydock = rows[0];
        if (rows.Count > 1)
        {
            var peer = rows[1];
            var share = drydock.CachedSeconds / peer.CachedSeconds;
            Console.WriteLine(
                $"target: cached rebuild at most 1/5 of kaniko's: {drydock.CachedSeconds:0.00} s vs {peer.Name} {peer.CachedSeconds:0.00} s = {share:0.00}: " +
                (peer.Name != KanikoName ? "not judged (that image is not kaniko)" : share <= MaxShareOfKaniko ? "holds" : "MISSED"));
        }

        Console.WriteLine(
            $"target: cached rebuild under {MaxPeakMiB:0} MiB peak RSS: {drydock.CachedPeakMiB:0} MiB: " + (drydock.CachedPeakMiB < MaxPeakMiB ? "holds" : "MISSED"));
        if (!drydock.SameImage)
        {
            Console.WriteLine($"the cached rebuilds pushed another image than the first build: {string.Join(", ", drydock.Digests.Distinct())}");
        }
    }

    /// <summary>One first build (tag 1), then <paramref name="runs"/> cached rebuilds (tags cached-N), in that order.</summary>
    private static async Task<ToolFigures> MeasureAsync(string name, int runs, Func<string, Task<(TimedRun Run, string Digest)>> build)
    {
        Console.WriteLine($"{name}: first build");
        var (first, digest) = await build("1");
        var cached = new List<(TimedRun Run, string Digest)>();
        for (var run = 1; run <= runs; run++)
        {
            Console.WriteLine($"{name}: cached rebuild {run} of {runs}");
            cached.Add(await build($"cached-{run}"));
        }

        return new ToolFigures(name, first, [.. cached.Select(c => c.Run)], [digest, .. cached.Select(c => c.Digest)]);
    }

    private sealed record ToolFigures(string Name, TimedRun First, IReadOnlyList<TimedRun> Cached, IReadOnlyList<string> Digests)
    {
        public double CachedSeconds => Figures.Median(Cached.Select(r => r.Seconds).ToArray());

        public double CachedPeakMiB => Figures.Median(Cached.Select(r => r.PeakRssMiB).ToArray());

        /// <summary>The steps the last rebuild took from the cache, by its log: Drydock's [CACHED], kaniko's "Using caching version of cmd".</summary>
        public int CachedSteps => (Cached[^1].StandardError + Cached[^1].StandardOutput).Split('\n').Count(l =>
            l.Contains("[CACHED]", StringComparison.Ordinal) || l.Contains("Using caching version of cmd", StringComparison.Ordinal));

        public bool SameImage => Digests.Distinct().Count() == 1;
    }
}
