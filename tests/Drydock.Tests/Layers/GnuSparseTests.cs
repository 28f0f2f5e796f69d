using System.Formats.Tar;
using System.Globalization;
using System.Text;

namespace Drydock.Tests.Layers;

/// <summary>Sparse files as GNU tar writes them come out byte for byte, with their holes still holes.</summary>
public sealed class GnuSparseTests : IDisposable
{
    private const long Size = 3 * 1024 * 1024;
    private readonly LayerTestTree _tree = new();

    // Beside the test tree, not in it: the tree checks that nothing but the rootfs changed.
    private readonly TempDirectory _work = new("drydock-sparse-");

    public void Dispose()
    {
        _tree.Dispose();
        _work.Dispose();
    }

    // "gnu" is the old GNU format (type 'S'; dir/many needs two extension blocks of its map, the
    // long name a GNU long-name header); 0.0 repeats offset/numbytes records in one PAX header.
    // TarReader reads neither; LegacySparseRewriter turns both into 1.0.
    [Theory]
    [InlineData("--format=posix", "--sparse-version=1.0")]
    [InlineData("--format=posix", "--sparse-version=0.1")]
    [InlineData("--format=posix", "--sparse-version=0.0")]
    [InlineData("--format=posix", "")] // GNU tar's default (1.0 in 1.34)
    [InlineData("--format=gnu", "")]
    public async Task Sparse_files_are_extracted_with_their_holes(string format, string version)
    {
        var source = await MakeSourceAsync();
        string[] options = version.Length == 0 ? [format, "--sparse"] : [format, "--sparse", version];
        var layer = await ArchiveAsync(source, options, [.. SparseNames, "plain"]);

        var result = await _tree.ExtractAsync(layer);

        Assert.Empty(_tree.Warnings);
        Assert.Equal(SparseNames.Length + 1, result.Entries);
        foreach (var name in SparseNames)
        {
            await Tool.RunAsync("cmp", Path.Combine(source, name), _tree.InRoot(name));
            var allocated = await AllocatedBytesAsync(_tree.InRoot(name));
            Assert.True(allocated <= await AllocatedBytesAsync(Path.Combine(source, name)), $"{name} is not sparse");
            Assert.True(allocated < new FileInfo(_tree.InRoot(name)).Length, $"{name} is not sparse");
        }

        await Tool.RunAsync("cmp", Path.Combine(source, "plain"), _tree.InRoot("plain"));
        Assert.Equal(5, Directory.GetFileSystemEntries(_tree.InRoot("dir")).Length); // no GNUSparseFile.PID directory
        Assert.Equal((UnixFileMode)0x1A4, File.GetUnixFileMode(_tree.InRoot("dir/holes")));
        Assert.Equal(0, await AllocatedBytesAsync(_tree.InRoot("dir/empty")));
        _tree.AssertOutsideUntouched();
    }

    [Theory]
    [InlineData("--format=gnu", "")]
    [InlineData("--format=posix", "--sparse-version=0.0")]
    public async Task The_diff_id_is_of_the_layer_as_stored(string format, string version)
    {
        var source = await MakeSourceAsync();
        string[] options = version.Length == 0 ? [format, "--sparse"] : [format, "--sparse", version];
        var layer = await ArchiveAsync(source, options, "dir/many");

        var result = await _tree.ExtractAsync(layer);

        Assert.Equal(Drydock.Oci.Digest.Sha256(layer), result.DiffId);
    }

    [Theory]
    [InlineData("2\n0\n10\n5\n10\n", "overlaps")] // second segment starts inside the first
    [InlineData("1\n95\n10\n", "past the file's size")]
    [InlineData("1\n0\n7\n", "describes 7 bytes")]
    [InlineData("1\n0\n1x\n", "decimal lines")]
    [InlineData("1\n\n", "empty line")]
    [InlineData("99999999\n", "more than")]
    public async Task Malformed_1_0_maps_are_refused(string map, string problem)
    {
        var data = new byte[512 + 10];
        Encoding.ASCII.GetBytes(map).CopyTo(data, 0);
        var layer = SparseTar(new() { ["GNU.sparse.major"] = "1", ["GNU.sparse.minor"] = "0", ["GNU.sparse.realsize"] = "100" }, data);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _tree.ExtractAsync(layer));

        Assert.Contains("Layer entry './GNUSparseFile.0/victim'", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_tree.InRoot("victim")));
        Assert.False(Directory.Exists(_tree.InRoot("GNUSparseFile.0")));
    }

    [Fact]
    public async Task A_1_0_map_longer_than_the_data_is_refused()
    {
        // A whole block of well-formed lines that still promises more segments than it lists.
        var map = "300\n" + string.Concat(Enumerable.Repeat("0\n", 254));
        var data = new byte[512 + 10];
        Encoding.ASCII.GetBytes(map).CopyTo(data, 0);
        var layer = SparseTar(new() { ["GNU.sparse.major"] = "1", ["GNU.sparse.minor"] = "0", ["GNU.sparse.realsize"] = "100" }, data);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _tree.ExtractAsync(layer));

        Assert.Contains("runs past the end", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0,10,5", "not offset,size pairs")]
    [InlineData("0,10,-1,0", "not a size")]
    [InlineData("50,10,0,10", "overlaps or precedes")]
    [InlineData("0,10,100,0", "describes 10 bytes")] // the entry stores 20
    public async Task Malformed_0_1_maps_are_refused(string map, string problem)
    {
        var layer = SparseTar(new() { ["GNU.sparse.map"] = map, ["GNU.sparse.size"] = "100" }, new byte[20]);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _tree.ExtractAsync(layer));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_tree.InRoot("victim")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // the real name is then the header's without its GNUSparseFile.N directory
    public async Task A_hand_made_1_0_map_places_its_segments(bool withName)
    {
        var data = new byte[512 + 6];
        Encoding.ASCII.GetBytes("2\n3\n4\n90\n2\n").CopyTo(data, 0);
        Encoding.ASCII.GetBytes("abcdXY").CopyTo(data, 512);
        var layer = SparseTar(new() { ["GNU.sparse.major"] = "1", ["GNU.sparse.minor"] = "0", ["GNU.sparse.realsize"] = "100" }, data, withName);

        await _tree.ExtractAsync(layer);

        var expected = new byte[100];
        Encoding.ASCII.GetBytes("abcd").CopyTo(expected, 3);
        Encoding.ASCII.GetBytes("XY").CopyTo(expected, 90);
        Assert.Equal(expected, await File.ReadAllBytesAsync(_tree.InRoot("victim")));
    }

    [Fact]
    public async Task Unknown_sparse_versions_are_skipped_with_a_warning()
    {
        var layer = SparseTar(new() { ["GNU.sparse.major"] = "2", ["GNU.sparse.minor"] = "0", ["GNU.sparse.realsize"] = "100" }, new byte[512]);

        await _tree.ExtractAsync(layer);

        Assert.False(File.Exists(_tree.InRoot("victim")));
        Assert.False(File.Exists(_tree.InRoot("GNUSparseFile.0/victim")));
        Assert.Contains(_tree.Warnings, w => w.Contains("sparse", StringComparison.Ordinal));
    }

    private static readonly string LongName = new('n', 150);

    private static readonly string[] SparseNames = ["dir/holes", "dir/tail", "dir/empty", "dir/many", $"dir/{LongName}"];

    // dir/holes: data at the start, a hole, data in the middle, a trailing hole; dir/tail: a hole
    // then data up to the end; dir/empty: nothing but a hole; dir/many: 30 runs of data; a file
    // with a name too long for a header.
    private async Task<string> MakeSourceAsync()
    {
        var source = Path.Combine(_work, "source");
        var dir = Path.Combine(source, "dir");
        Directory.CreateDirectory(dir);
        var random = Path.Combine(_work, "random");
        await File.WriteAllBytesAsync(random, RandomBytes(20_000));
        var holes = Path.Combine(dir, "holes");
        var tail = Path.Combine(dir, "tail");
        var empty = Path.Combine(dir, "empty");
        foreach (var file in new[] { holes, tail, empty })
        {
            await Tool.RunAsync("truncate", "-s", Size.ToString(CultureInfo.InvariantCulture), file);
        }

        await WriteAtAsync(random, holes, 0, 5_000);
        await WriteAtAsync(random, holes, 1_500_000, 20_000);
        await WriteAtAsync(random, tail, Size - 10_000, 10_000);
        var many = Path.Combine(dir, "many");
        await Tool.RunAsync("truncate", "-s", Size.ToString(CultureInfo.InvariantCulture), many);
        for (var i = 0; i < 30; i++)
        {
            await WriteAtAsync(random, many, (i * 90_000) + 1_000, 3_000 + i);
        }

        await Tool.RunAsync("cp", "--sparse=always", holes, Path.Combine(dir, LongName));
        File.SetUnixFileMode(holes, (UnixFileMode)0x1A4);
        await File.WriteAllTextAsync(Path.Combine(source, "plain"), "p");
        return source;
    }

    private async Task<byte[]> ArchiveAsync(string source, string[] options, params string[] names)
    {
        var layer = Path.Combine(_work, "layer.tar");
        await Tool.RunAsync("tar", [.. options, "-C", source, "-cf", layer, .. names]);
        var bytes = await File.ReadAllBytesAsync(layer);
        File.Delete(layer);
        return bytes;
    }

    private static Task WriteAtAsync(string from, string to, long offset, int count) =>
        Tool.RunAsync("dd", $"if={from}", $"of={to}", "bs=1", $"count={count}", $"seek={offset}", "conv=notrunc", "status=none");

    private static async Task<long> AllocatedBytesAsync(string path) =>
        long.Parse((await Tool.RunAsync("stat", "-c", "%b", path)).Trim(), CultureInfo.InvariantCulture) * 512;

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(5).NextBytes(bytes);
        return bytes;
    }

    private static byte[] SparseTar(Dictionary<string, string> records, byte[] data, bool withName = true)
    {
        if (withName)
        {
            records["GNU.sparse.name"] = "victim";
        }

        var output = new MemoryStream();
        using (var writer = new TarWriter(output, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "./GNUSparseFile.0/victim", records) { DataStream = new MemoryStream(data) });
        }

        return output.ToArray();
    }
}
