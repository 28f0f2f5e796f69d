using System.Diagnostics;
using Drydock.Snapshot;

namespace Drydock.Bench;

/// <summary>
/// The time to snapshot a one-file change on a rootfs of many small files, for each snapshotter
/// and mode: what every RUN pays after its command ends.
/// </summary>
internal static class SnapshotBench
{
    private const int FilesPerDirectory = 100;
    private const int Steps = 5;

    public static async Task RunAsync(string directory, int files, CancellationToken cancellationToken)
    {
        var rootfs = Path.Combine(directory, "rootfs");
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        var clock = Stopwatch.StartNew();
        MakeTree(rootfs, files);
        Console.WriteLine($"rootfs of {files:N0} files in {files / FilesPerDirectory:N0} directories made in {clock.Elapsed.TotalSeconds:0.0} s ({Environment.ProcessorCount} cores)");
        Console.WriteLine("snapshotter    mode  initialize  one-file step: prepare  snapshot (median of 5)");
        foreach (var mode in Enum.GetValues<SnapshotMode>())
        {
            await MeasureAsync("walk", mode, new WalkingSnapshotter(new SnapshotOptions { Mode = mode }), rootfs, cancellationToken);
        }

        var overlay = await OverlaySupport.CheckAsync(directory, cancellationToken);
        if (!overlay.IsAvailable)
        {
            Console.WriteLine($"overlay        -     not available here: {overlay.Reason}");
        }
        else
        {
            foreach (var mode in Enum.GetValues<SnapshotMode>())
            {
                await MeasureAsync("overlay", mode, new OverlaySnapshotter(Path.Combine(directory, "overlay"), new SnapshotOptions { Mode = mode }), rootfs, cancellationToken);
            }
        }

        Directory.Delete(directory, recursive: true);
    }

    private static async Task MeasureAsync(string name, SnapshotMode mode, ISnapshotter snapshotter, string rootfs, CancellationToken cancellationToken)
    {
        await using (snapshotter)
        {
            var clock = Stopwatch.StartNew();
            await snapshotter.InitializeAsync(rootfs, cancellationToken);
            var initialize = clock.Elapsed;
            var prepares = new List<TimeSpan>();
            var snapshots = new List<TimeSpan>();
            for (var step = 0; step < Steps; step++)
            {
                clock.Restart();
                var root = await snapshotter.PrepareStepAsync(cancellationToken);
                prepares.Add(clock.Elapsed);
                await File.WriteAllTextAsync(Path.Combine(root, "d0", $"{name}-{mode}-{step}"), "changed", cancellationToken);
                clock.Restart();
                var diff = await snapshotter.SnapshotAsync(cancellationToken);
                snapshots.Add(clock.Elapsed);
                if (diff.Changed.Count != 2)
                {
                    throw new InvalidOperationException($"{name} {mode}: expected a directory and a file, got {string.Join(", ", diff.Changed)}");
                }
            }

            Console.WriteLine($"{name,-14} {mode,-5} {Ms(initialize),10}  {Ms(Figures.Median(prepares)),22}  {Ms(Figures.Median(snapshots)),8}");
        }
    }

    private static void MakeTree(string rootfs, int files)
    {
        var directories = Math.Max(1, files / FilesPerDirectory);
        Parallel.For(0, directories, d =>
        {
            var directory = Path.Combine(rootfs, $"d{d}");
            Directory.CreateDirectory(directory);
            for (var f = 0; f < FilesPerDirectory; f++)
            {
                File.WriteAllText(Path.Combine(directory, $"f{f}"), $"file {d}/{f}\n");
            }
        });
    }

    private static string Ms(TimeSpan value) => $"{value.TotalMilliseconds:0.0} ms";
}
