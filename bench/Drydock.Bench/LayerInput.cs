using Drydock.Layers;

namespace Drydock.Bench;

/// <summary>What the files a layer is written from hold.</summary>
internal enum LayerData
{
    /// <summary>A 64-letter alphabet: compressible about as well as binaries and text are, so compressors do real work.</summary>
    Text,

    /// <summary>Random bytes: incompressible, so the blob is as large as the files.</summary>
    Random,
}

/// <summary>The files the layer benches write layers from: a flat directory of 64 MiB files, made once and kept.</summary>
internal static class LayerInput
{
    private const int FileSize = 64 << 20;

    private static readonly byte[] Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n"u8.ToArray();

    /// <summary>Fills a buffer with the same bytes for the same seed.</summary>
    public static void Fill(Span<byte> buffer, int seed, LayerData data)
    {
        new Random(seed).NextBytes(buffer);
        if (data == LayerData.Text)
        {
            foreach (ref var b in buffer)
            {
                b = Alphabet[b & 63];
            }
        }
    }

    /// <summary>
    /// Makes <paramref name="rootfs"/> hold <paramref name="bytes"/> of <paramref name="data"/>
    /// unless it already does (same size), and returns the diff that adds all of it.
    /// </summary>
    public static FilesystemDiff Prepare(string rootfs, long bytes, LayerData data)
    {
        if (!Directory.Exists(rootfs) || TreeSize(rootfs) != bytes)
        {
            MakeFiles(rootfs, bytes, data);
        }

        return new FilesystemDiff(Directory.EnumerateFiles(rootfs).Select(f => "/" + Path.GetFileName(f)), []);
    }

    private static void MakeFiles(string rootfs, long bytes, LayerData data)
    {
        if (Directory.Exists(rootfs))
        {
            Directory.Delete(rootfs, recursive: true);
        }

        Directory.CreateDirectory(rootfs);
        var count = (int)((bytes + FileSize - 1) / FileSize);

        // One buffer for all files, so making the data does not raise the peak being measured.
        var buffer = new byte[FileSize];
        for (var i = 0; i < count; i++)
        {
            var length = (int)Math.Min(FileSize, bytes - ((long)i * FileSize));
            Fill(buffer.AsSpan(0, length), i, data);
            File.WriteAllBytes(Path.Combine(rootfs, $"part-{i:D4}"), buffer.AsSpan(0, length));
        }
    }

    private static long TreeSize(string rootfs) => Directory.EnumerateFiles(rootfs).Sum(f => new FileInfo(f).Length);
}
