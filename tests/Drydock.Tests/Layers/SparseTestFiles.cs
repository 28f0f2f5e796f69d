using Drydock.Native;

namespace Drydock.Tests.Layers;

/// <summary>Files with holes for tests: made with a length and data at offsets, read back as their data segments.</summary>
internal static class SparseTestFiles
{
    public static string Create(string path, long size, params (long Offset, byte[] Data)[] segments)
    {
        using var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
        RandomAccess.SetLength(file, size);
        foreach (var (offset, data) in segments)
        {
            RandomAccess.Write(file, data, offset);
        }

        return path;
    }

    /// <summary>Where the file system holds data for the file (SEEK_DATA / SEEK_HOLE).</summary>
    public static List<(long Offset, long Length)> Segments(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        var size = RandomAccess.GetLength(file);
        var segments = new List<(long, long)>();
        for (var position = 0L; NativeFiles.TryNextDataSegment(file, path, position, size, out var offset, out var length); position = offset + length)
        {
            segments.Add((offset, length));
        }

        return segments;
    }

    public static byte[] Read(string path, long offset, int count)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        var bytes = new byte[count];
        RandomAccess.Read(file, bytes, offset);
        return bytes;
    }

    public static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
