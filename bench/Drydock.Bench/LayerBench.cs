using System.Diagnostics;
using Drydock.Layers;
using Drydock.Oci;

namespace Drydock.Bench;

/// <summary>
/// The time and peak memory to write one large layer from a diff: tar, diffID, compression and
/// digest in one pass. The files hold text-like data (a 64-letter alphabet), compressible about
/// as well as binaries and text are, so compressors do real work.
/// </summary>
internal static class LayerBench
{
    private const int FileSize = 64 << 20;

    public static async Task RunAsync(string directory, long bytes, LayerCompression compression, CancellationToken cancellationToken)
    {
        var rootfs = Path.Combine(directory, "rootfs");
        if (!Directory.Exists(rootfs) || TreeSize(rootfs) != bytes)
        {
            MakeFiles(rootfs, bytes);
        }

        // The files were just written or read: all runs start from the page cache alike.
        var diff = new FilesystemDiff(Directory.EnumerateFiles(rootfs).Select(f => "/" + Path.GetFileName(f)), []);
        var blobs = Path.Combine(directory, "blobs");
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var layer = await LayerWriter.WriteToDirectoryAsync(
            rootfs, diff, blobs, MediaTypes.LayerType(docker: false, compression), new LayerWriteOptions { Compression = compression }, cancellationToken);
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

    private static void MakeFiles(string rootfs, long bytes)
    {
        if (Directory.Exists(rootfs))
        {
            Directory.Delete(rootfs, recursive: true);
        }

        Directory.CreateDirectory(rootfs);
        var alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n"u8.ToArray();
        var count = (int)((bytes + FileSize - 1) / FileSize);

        // One buffer for all files, so making the data does not raise the peak being measured.
        var data = new byte[FileSize];
        for (var i = 0; i < count; i++)
        {
            var length = (int)Math.Min(FileSize, bytes - ((long)i * FileSize));
            new Random(i).NextBytes(data.AsSpan(0, length));
            for (var b = 0; b < length; b++)
            {
                data[b] = alphabet[data[b] & 63];
            }

            File.WriteAllBytes(Path.Combine(rootfs, $"part-{i:D4}"), data.AsSpan(0, length));
        }
    }

    private static long TreeSize(string rootfs) => Directory.EnumerateFiles(rootfs).Sum(f => new FileInfo(f).Length);
}
