using System.Collections.Concurrent;
using System.Diagnostics;
using Drydock.Building;
using Drydock.Dockerfile;
using Drydock.Layers;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Auth;
using Drydock.Registry.Transport;

namespace Drydock.Bench;

/// <summary>
/// What uploading a layer while it is compressed saves. For one gzip layer of new files, pushed
/// with its image to a real registry on loopback: writing the layer, then pushing (as before
/// streaming), against writing it while <see cref="LayerStreaming"/> uploads it, then pushing
/// (which skips the streamed layer). The peak working set is this process's only, not the registry's.
/// </summary>
internal static class PushBench
{
    // The build streams only the layers of the target image's stages; this one is that stage.
    private static readonly Stage Stage = DockerfileParser.Parse("FROM scratch\n").Stages[0];

    public static async Task RunAsync(string directory, long bytes, LayerData data, int runs, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);

        // The files were just written or read: all runs start from the page cache alike.
        var rootfs = Path.Combine(directory, $"rootfs-{data}".ToLowerInvariant());
        var diff = LayerInput.Prepare(rootfs, bytes, data);
        var blobs = Path.Combine(directory, "blobs");
        var loadAverage = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        await using var registry = await LocalRegistry.StartAsync(cancellationToken);
        using var clients = new RegistryClientPool(new RegistryTransportOptions { InsecureRegistries = [registry.Host] }, AnonymousKeychain.Instance);

        var measurements = Enum.GetValues<Mode>().ToDictionary(m => m, _ => new List<Measurement>());
        for (var run = 0; run < runs; run++)
        {
            // Modes alternate, so a machine growing busier weighs on both alike.
            foreach (var mode in Enum.GetValues<Mode>())
            {
                // A repository per run: one that has the blob already would not be sent it again.
                var destination = ImageReference.Parse($"{registry.Host}/bench/{mode.ToString().ToLowerInvariant()}-{run}:latest");
                measurements[mode].Add(await MeasureAsync(mode == Mode.Streamed, rootfs, diff, blobs, clients, destination, cancellationToken));
            }
        }

        var blob = measurements[Mode.Written][0].BlobSize;
        Console.WriteLine(
            $"push of a {bytes / (double)(1 << 20):0} MiB layer of {data.ToString().ToLowerInvariant()} data (gzip blob {blob / (double)(1 << 20):0} MiB) " +
            $"to docker-registry on loopback, median of {runs} runs per column ({Environment.ProcessorCount} cores, load average {string.Join(' ', loadAverage)} at start)");
        Console.WriteLine("mode                  layer written (s)  push after (s)  total (s)  peak working set (MiB)");
        foreach (var mode in Enum.GetValues<Mode>())
        {
            double Median(Func<Measurement, double> figure) => Figures.Median(measurements[mode].Select(figure).ToArray());
            Console.WriteLine(
                $"{(mode == Mode.Streamed ? "stream while writing" : "write, then push"),-20}  {Median(m => m.Written.TotalSeconds),17:0.0}  " +
                $"{Median(m => m.Push.TotalSeconds),14:0.0}  {Median(m => m.Total.TotalSeconds),9:0.0}  {Median(m => m.PeakWorkingSet / (double)(1 << 20)),22:0}");
        }
    }

    private static async Task<Measurement> MeasureAsync(
        bool streamed, string rootfs, FilesystemDiff diff, string blobs, RegistryClientPool clients, ImageReference destination, CancellationToken cancellationToken)
    {
        ResetPeakWorkingSet();
        var reports = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        var uploads = streamed ? new EarlyBlobUploads(clients, [destination], reports.Enqueue) : null;
        await using (uploads)
        {
            var layer = await new LayerStreaming(uploads, [Stage]).WriteAsync(Stage, follow => LayerWriter.WriteToDirectoryAsync(
                rootfs, diff, new BlobDirectory(blobs), MediaTypes.LayerType(docker: false, LayerCompression.Gzip), LayerWriteOptions.Default, follow, cancellationToken));
            var written = clock.Elapsed;
            var image = Image.Create(new ImageConfig { Architecture = Platform.Host.Architecture }, [layer], dockerMediaTypes: false);
            var pushed = new LayerOutcome(layer.Descriptor.Digest);
            await new ImagePusher(clients).PushAsync(image, [destination], pushed, uploads, cancellationToken);
            var total = clock.Elapsed;
            File.Delete(layer.Path);

            // A failed early upload is sent by the push: the build still works, but this row would not measure streaming.
            if ((pushed.Outcome == BlobPushOutcome.Streamed) != streamed || pushed.Outcome is BlobPushOutcome.AlreadyExists or BlobPushOutcome.Mounted)
            {
                throw new InvalidOperationException($"the layer was pushed as {pushed.Outcome} to {destination} ({string.Join("; ", reports)})");
            }

            using var self = Process.GetCurrentProcess();
            return new Measurement(written, total - written, total, self.PeakWorkingSet64, layer.Descriptor.Size);
        }
    }

    /// <summary>
    /// The peak working set is a high-water mark per process; Linux lowers it to what is resident
    /// now on "5" written to clear_refs. Earlier runs' garbage is collected first, so each run's
    /// peak is its own.
    /// </summary>
    private static void ResetPeakWorkingSet()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        File.WriteAllText("/proc/self/clear_refs", "5");
    }

    private enum Mode
    {
        /// <summary>The layer is written, then the push sends it: as before streaming.</summary>
        Written,

        /// <summary>The layer is uploaded as it is written; the push skips it.</summary>
        Streamed,
    }

    private sealed record Measurement(TimeSpan Written, TimeSpan Push, TimeSpan Total, long PeakWorkingSet, long BlobSize);

    /// <summary>How the push handled the layer (reported synchronously, unlike <see cref="Progress{T}"/>).</summary>
    private sealed class LayerOutcome(Digest layer) : IProgress<BlobPushed>
    {
        public BlobPushOutcome? Outcome { get; private set; }

        public void Report(BlobPushed value)
        {
            if (value.Descriptor.Digest == layer)
            {
                Outcome = value.Outcome;
            }
        }
    }
}
