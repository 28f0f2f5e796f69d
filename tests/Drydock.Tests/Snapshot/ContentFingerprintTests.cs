using Drydock.Native;
using Drydock.Snapshot;
using Drydock.Tests.Layers;

namespace Drydock.Tests.Snapshot;

/// <summary>Full-mode content hashing reads data, never holes: its cost follows what is allocated.</summary>
public sealed class ContentFingerprintTests : IDisposable
{
    private const long TiB = 1L << 40;
    private readonly TempDirectory _dir = new("drydock-fingerprint-");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_terabyte_of_holes_around_4_KiB_reads_only_the_4_KiB()
    {
        var path = Sparse("lastlog", TiB, (TiB / 2, Data(4096, 1)));

        ContentFingerprint.Of(path, FileKind.RegularFile, out var bytesRead);

        Assert.Equal(4096, bytesRead);
    }

    [Fact]
    public void The_same_data_at_other_offsets_hashes_apart()
    {
        var data = Data(4096, 2);
        var first = ContentFingerprint.Of(Sparse("a", TiB, (1L << 30, data)), FileKind.RegularFile);
        var moved = ContentFingerprint.Of(Sparse("b", TiB, (2L << 30, data)), FileKind.RegularFile);
        var same = ContentFingerprint.Of(Sparse("c", TiB, (1L << 30, data)), FileKind.RegularFile);
        var longer = ContentFingerprint.Of(Sparse("d", TiB + 4096, (1L << 30, data)), FileKind.RegularFile);

        Assert.NotEqual(first, moved);
        Assert.NotEqual(first, longer);
        Assert.Equal(first, same);
    }

    [Fact]
    public void A_changed_byte_in_a_data_segment_changes_the_hash()
    {
        var data = Data(73 * 4096, 3); // whole blocks: the file system allocates no less
        var changed = data.ToArray();
        changed[^1] ^= 1;
        var before = ContentFingerprint.Of(Sparse("a", 1L << 30, (0, data), (1L << 29, data)), FileKind.RegularFile, out var bytesRead);
        var after = ContentFingerprint.Of(Sparse("b", 1L << 30, (0, data), (1L << 29, changed)), FileKind.RegularFile);

        Assert.NotEqual(before, after);
        Assert.Equal(2 * 73 * 4096, bytesRead);
    }

    [Fact]
    public void Small_and_dense_files_are_read_whole()
    {
        var small = Path.Combine(_dir, "small");
        File.WriteAllBytes(small, Data(1000, 4));
        var dense = Path.Combine(_dir, "dense");
        File.WriteAllBytes(dense, Data(1_000_000, 5));

        ContentFingerprint.Of(small, FileKind.RegularFile, out var smallRead);
        ContentFingerprint.Of(dense, FileKind.RegularFile, out var denseRead);

        Assert.Equal((1000, 1_000_000), (smallRead, denseRead));
    }

    private string Sparse(string name, long size, params (long Offset, byte[] Data)[] segments) =>
        SparseTestFiles.Create(Path.Combine(_dir, name), size, segments);

    private static byte[] Data(int count, int seed) => SparseTestFiles.RandomBytes(count, seed);
}
