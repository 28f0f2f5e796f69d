using System.Diagnostics;
using Drydock.Layers;
using Drydock.Oci;

namespace Drydock.Bench;

/// <summary>
/// The time and peak memory to write one large layer from a diff: tar, diffID, compression and
/// digest in one pass. The files hold text-like data (<see cref="LayerData.Text"/>).
/// </summary>
internal static class LayerBench
{
    public static async Task RunAsync(string directory, long bytes, LayerCompression compression, CancellationToken cancellationToken)
    {
        var rootfs = Path.Combine(directory, "rootfs");

        // The files were just written or read: all runs start from the page cache alike.
        var diff = LayerInput.Prepare(rootfs, bytes, LayerData.Text);
        var blobs = Path.Combine(directory, "blobs");
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var layer = await LayerWriter.WriteToDirectoryAsync(
            rootfs, diff, new BlobDirectory(blobs), MediaTypes.LayerType(docker: false, compression), new LayerWriteOptions { Compression = compression }, cancellationToken);
        var elapsed = clock.Elapsed;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        using var self = Process.GetCurrentProcess();
        Console.WriteLine(
            $"layer of {bytes / (double)(1L << 30):0.##} GiB, {compression,-4}: {elapsed.TotalSeconds,6:0.0} s " +
            $"({bytes / elapsed.TotalSeconds / (1 << 20),5:0} MiB/s), blob {layer.Descriptor.Size / (double)(1 << 20),6:0} MiB, " +
            $"peak working set {self.PeakWorkingSet64 / (double)(1 << 20):0} MiB, managed allocations {allocated / (double)(1 << 20):0.0} MiB, " +
            $"GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}");
        File.Delete(layer.Path);
    }
}
