using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Drydock.Layers;
using Drydock.Native;
using Drydock.Oci;

namespace Drydock.Tests.Layers;

public sealed class LayerWriterTests : IDisposable
{
    private readonly TempDirectory _base = new("drydock-writer-");
    private readonly List<string> _warnings = [];

    public LayerWriterTests()
    {
        Source = Path.Combine(_base, "source");
        Directory.CreateDirectory(Source);
    }

    private string Source { get; }

    public void Dispose() => _base.Dispose();

    [RootFact]
    public async Task Round_trip_through_our_extractor_gives_the_same_tree()
    {
        SampleTree.Build(Source);
        var layer = Path.Combine(_base, "layer.tar.gz");

        await WriteAsync(EverythingIn(Source), layer, new LayerWriteOptions { Warn = _warnings.Add });
        var target = Path.Combine(_base, "target");
        Directory.CreateDirectory(target);
        await using (var blob = File.OpenRead(layer))
        {
            await LayerExtractor.ExtractAsync(blob, LayerCompression.Gzip, target, new LayerExtractOptions { Warn = _warnings.Add }, CancellationToken.None);
        }

        Assert.Equal(RootfsListing.Lines(Source, withTimes: true), RootfsListing.Lines(target, withTimes: true));
        Assert.Equal(SampleTree.Capability, NativeFiles.GetXattr(target + "/opt/ping", "security.capability"));
        Assert.Empty(_warnings);
    }

    [RootFact]
    public async Task Gnu_tar_lists_numeric_owners_modes_links_and_devices()
    {
        SampleTree.Build(Source);
        var layer = Path.Combine(_base, "layer.tar.gz");
        await WriteAsync(EverythingIn(Source), layer, LayerWriteOptions.Default);

        var listing = (await Tool.RunAsync("tar", "--numeric-owner", "-tvzf", layer)).Split('\n');

        Assert.Contains(listing, l => l.StartsWith("-rwsr-xr-x 0/0", StringComparison.Ordinal) && l.EndsWith(" usr/bin/su", StringComparison.Ordinal));
        Assert.Contains(listing, l => l.StartsWith("drwxr-x--- 1000/1000", StringComparison.Ordinal) && l.EndsWith(" home/app/", StringComparison.Ordinal));
        Assert.Contains(listing, l => l.StartsWith("-rw------- 1000/1000", StringComparison.Ordinal) && l.EndsWith(" home/app/notes", StringComparison.Ordinal));
        Assert.Contains(listing, l => l.StartsWith("drwxrwxrwt 0/0", StringComparison.Ordinal) && l.EndsWith(" tmp/", StringComparison.Ordinal));
        Assert.Contains(listing, l => l.StartsWith("hrwxr-xr-x 0/0", StringComparison.Ordinal) && l.EndsWith(" bin/sh link to bin/busybox", StringComparison.Ordinal));
        Assert.Contains(listing, l => l.StartsWith("lrwxrwxrwx 0/0", StringComparison.Ordinal) && l.EndsWith(" lib -> usr/lib", StringComparison.Ordinal));
        Assert.Contains(listing, l => l.StartsWith("crw-rw-rw- 0/0", StringComparison.Ordinal) && l.Contains(" 1,3 ", StringComparison.Ordinal) && l.EndsWith(" dev/null", StringComparison.Ordinal));
        Assert.Contains(listing, l => l.StartsWith("prw------- 0/0", StringComparison.Ordinal) && l.EndsWith(" run/fifo", StringComparison.Ordinal));
        Assert.Contains(listing, l => l.StartsWith("-rw-r--r-- 70000/70000", StringComparison.Ordinal) && l.EndsWith(SampleTree.LongName[1..], StringComparison.Ordinal));
        Assert.Contains(listing, l => l.EndsWith(" opt/été-☃.txt", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task Gnu_tar_extracts_the_same_tree_with_binary_xattrs()
    {
        SampleTree.Build(Source);
        var layer = Path.Combine(_base, "layer.tar.gz");
        await WriteAsync(EverythingIn(Source), layer, LayerWriteOptions.Default);
        var target = Path.Combine(_base, "gnu");
        Directory.CreateDirectory(target);

        await Tool.RunAsync("tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpzf", layer, "-C", target);

        Assert.Equal(SampleTree.Capability, NativeFiles.GetXattr(target + "/opt/ping", "security.capability"));
        Assert.Equal(RootfsListing.Lines(Source, withTimes: true), RootfsListing.Lines(target, withTimes: true));
    }

    [RootFact]
    public async Task Diff_id_and_digest_match_independent_hashes_of_one_pass()
    {
        SampleTree.Build(Source);
        var layer = Path.Combine(_base, "layer.tar.gz");

        var result = await WriteAsync(EverythingIn(Source), layer, LayerWriteOptions.Default);

        var blob = await File.ReadAllBytesAsync(layer);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob)), result.Digest.ToString());
        Assert.Equal(blob.Length, result.Size);
        var gunzipped = (await Tool.RunAsync("sh", "-c", $"gzip -dc '{layer}' | sha256sum")).Split(' ')[0];
        Assert.Equal("sha256:" + gunzipped, result.DiffId.ToString());
    }

    [RootTheory]
    [InlineData(null)]
    [InlineData(-3)]
    [InlineData(19)]
    public async Task Zstd_layer_digests_match_the_zstd_tool_and_extract_again(int? level)
    {
        SampleTree.Build(Source);
        var layer = Path.Combine(_base, "layer.tar.zst");

        var result = await WriteAsync(EverythingIn(Source), layer, new LayerWriteOptions { Compression = LayerCompression.Zstd, CompressionLevel = level });

        var blob = await File.ReadAllBytesAsync(layer);
        Assert.Equal(Digest.Sha256(blob), result.Digest);
        Assert.Equal(blob.Length, result.Size);
        var unpacked = (await Tool.RunAsync("sh", "-c", $"zstd -dc '{layer}' | sha256sum")).Split(' ')[0];
        Assert.Equal("sha256:" + unpacked, result.DiffId.ToString());
        var target = Path.Combine(_base, "target");
        Directory.CreateDirectory(target);
        await using (var file = File.OpenRead(layer))
        {
            var extracted = await LayerExtractor.ExtractAsync(file, LayerCompression.Zstd, target, CancellationToken.None);
            Assert.Equal(result.DiffId, extracted.DiffId);
        }

        Assert.Equal(RootfsListing.Lines(Source, withTimes: true), RootfsListing.Lines(target, withTimes: true));
    }

    [Theory]
    [InlineData(LayerCompression.Gzip, 10)]
    [InlineData(LayerCompression.Zstd, 20)]
    [InlineData(LayerCompression.None, 1)]
    public async Task Compression_levels_out_of_range_are_refused(LayerCompression compression, int level)
    {
        File.WriteAllText(Path.Combine(Source, "f"), "x");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            WriteAsync(new FilesystemDiff(["/f"], []), Path.Combine(_base, "layer"), new LayerWriteOptions { Compression = compression, CompressionLevel = level }));
    }

    [RootFact]
    public async Task Zstd_layers_written_to_a_blob_directory_read_back_verified()
    {
        SampleTree.Build(Source);
        var blobs = Path.Combine(_base, "blobs");
        var options = new LayerWriteOptions { Compression = LayerCompression.Zstd };

        var layer = await LayerWriter.WriteToDirectoryAsync(Source, EverythingIn(Source), new BlobDirectory(blobs), MediaTypes.OciLayerZstd, options, CancellationToken.None);

        await using var tar = await layer.OpenUncompressedAsync(CancellationToken.None);
        await tar.CopyToAsync(Stream.Null);
        Assert.Equal(MediaTypes.OciLayerZstd, layer.Descriptor.MediaType);
    }

    [Fact]
    public async Task Uncompressed_layer_has_equal_diff_id_and_digest()
    {
        File.WriteAllText(Path.Combine(Source, "f"), "x");
        var layer = Path.Combine(_base, "layer.tar");

        var result = await WriteAsync(new FilesystemDiff(["/f"], []), layer, new LayerWriteOptions { Compression = LayerCompression.None });

        Assert.Equal(result.DiffId, result.Digest);
        Assert.Equal(Digest.Sha256(await File.ReadAllBytesAsync(layer)), result.Digest);
    }

    [Fact]
    public async Task Hardlinks_in_one_layer_are_links_to_the_first_path()
    {
        File.WriteAllText(Path.Combine(Source, "b"), "data");
        NativeFiles.Link(Path.Combine(Source, "b"), Path.Combine(Source, "a"));
        NativeFiles.Link(Path.Combine(Source, "b"), Path.Combine(Source, "c"));
        var layer = Path.Combine(_base, "layer.tar");

        await WriteAsync(new FilesystemDiff(["/c", "/b", "/a"], []), layer, new LayerWriteOptions { Compression = LayerCompression.None });

        var entries = ReadEntries(layer);
        Assert.Equal(["a", "b", "c"], entries.Select(e => e.Name));
        Assert.Equal((TarEntryType.RegularFile, 4L), (entries[0].EntryType, entries[0].Length));
        Assert.All(entries.Skip(1), e => Assert.Equal((TarEntryType.HardLink, "a"), (e.EntryType, e.LinkName)));
    }

    [RootFact]
    public async Task Parents_not_in_the_diff_are_written_with_their_real_metadata()
    {
        Directory.CreateDirectory(Path.Combine(Source, "a/b"));
        NativeFiles.Lchown(Path.Combine(Source, "a/b"), 1000, 1001);
        NativeFiles.Chmod(Path.Combine(Source, "a/b"), (UnixFileMode)0x1C0);
        File.WriteAllText(Path.Combine(Source, "a/b/c"), "c");
        var layer = Path.Combine(_base, "layer.tar");

        await WriteAsync(new FilesystemDiff(["/a/b/c"], []), layer, new LayerWriteOptions { Compression = LayerCompression.None });

        var entries = ReadEntries(layer);
        Assert.Equal(["a/", "a/b/", "a/b/c"], entries.Select(e => e.Name));
        Assert.Equal((1000, 1001, (UnixFileMode)0x1C0), (entries[1].Uid, entries[1].Gid, entries[1].Mode));
        Assert.All(entries, e => Assert.Equal("", ((PosixTarEntry)e).UserName));
    }

    [Fact]
    public async Task Deletions_become_whiteouts_that_extraction_applies()
    {
        File.WriteAllText(Path.Combine(Source, "new"), "n");
        Directory.CreateDirectory(Path.Combine(Source, "a"));
        var layer = Path.Combine(_base, "layer.tar");

        await WriteAsync(new FilesystemDiff(["/new"], ["/a/x", "/gone"]), layer, new LayerWriteOptions { Compression = LayerCompression.None });

        var entries = ReadEntries(layer);
        Assert.Equal([".wh.gone", "a/", "a/.wh.x", "new"], entries.Select(e => e.Name));
        Assert.All(entries.Where(e => e.Name.Contains(".wh.", StringComparison.Ordinal)), e => Assert.Equal((TarEntryType.RegularFile, 0L), (e.EntryType, e.Length)));
        var lower = Path.Combine(_base, "lower");
        Directory.CreateDirectory(Path.Combine(lower, "a"));
        File.WriteAllText(Path.Combine(lower, "a/x"), "x");
        File.WriteAllText(Path.Combine(lower, "a/y"), "y");
        Directory.CreateDirectory(Path.Combine(lower, "gone/deep"));
        await using (var blob = File.OpenRead(layer))
        {
            await LayerExtractor.ExtractAsync(blob, LayerCompression.None, lower, CancellationToken.None);
        }

        Assert.Equal(["a", "new"], Directory.GetFileSystemEntries(lower).Select(Path.GetFileName).Order());
        Assert.Equal(["y"], Directory.GetFileSystemEntries(Path.Combine(lower, "a")).Select(Path.GetFileName));
    }

    [RootFact]
    public async Task Reproducible_layers_have_the_same_digest_whenever_written()
    {
        SampleTree.Build(Source);
        var options = new LayerWriteOptions { Reproducible = true, SourceDateEpoch = 1_700_000_000 };
        var first = await WriteAsync(EverythingIn(Source), Path.Combine(_base, "1.tar.gz"), options);

        foreach (var path in EverythingIn(Source).Changed)
        {
            NativeFiles.SetTimes(Source + path, new FileTime(1_234_567_890, 5), new FileTime(1_234_567_890, 5));
        }

        await Task.Delay(20);
        var second = await WriteAsync(EverythingIn(Source), Path.Combine(_base, "2.tar.gz"), options);

        Assert.Equal(first, second);
        Assert.All(ReadEntries(Path.Combine(_base, "1.tar.gz")), e => Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), e.ModificationTime));
        var tar = await GunzipAsync(Path.Combine(_base, "1.tar.gz"));
        Assert.DoesNotContain($"PaxHeaders.{Environment.ProcessId}", System.Text.Encoding.ASCII.GetString(tar), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nanosecond_mtimes_are_kept_unless_reproducible()
    {
        File.WriteAllText(Path.Combine(Source, "f"), "x");
        NativeFiles.SetTimes(Path.Combine(Source, "f"), new FileTime(1_600_000_000, 0), new FileTime(1_600_000_000, 120_000_007));
        var layer = Path.Combine(_base, "layer.tar");

        await WriteAsync(new FilesystemDiff(["/f"], []), layer, new LayerWriteOptions { Compression = LayerCompression.None });

        var entry = (PaxTarEntry)ReadEntries(layer).Single();
        Assert.Equal("1600000000.120000007", entry.ExtendedAttributes["mtime"]);
    }

    [RootFact]
    public async Task File_layer_in_a_blob_directory_verifies_what_it_serves()
    {
        SampleTree.Build(Source);
        var blobs = Path.Combine(_base, "blobs");
        var mediaType = MediaTypes.LayerType(docker: false, LayerCompression.Gzip);

        var layer = await LayerWriter.WriteToDirectoryAsync(Source, EverythingIn(Source), new BlobDirectory(blobs), mediaType, LayerWriteOptions.Default, CancellationToken.None);

        Assert.Equal(Path.Combine(blobs, "sha256", layer.Descriptor.Digest.Hex), layer.Path);
        Assert.Equal(mediaType, layer.Descriptor.MediaType);
        Assert.Equal(new FileInfo(layer.Path).Length, layer.Descriptor.Size);
        Assert.Single(Directory.GetFileSystemEntries(blobs, "*", SearchOption.AllDirectories), p => File.Exists(p));
        await using (var tar = await layer.OpenUncompressedAsync(CancellationToken.None))
        {
            Assert.Equal(layer.DiffId, Digest.FromSha256Hash(await SHA256.HashDataAsync(tar)));
        }

        var target = Path.Combine(_base, "target");
        Directory.CreateDirectory(target);
        await using (var blob = await layer.OpenCompressedAsync(CancellationToken.None))
        {
            var result = await LayerExtractor.ExtractAsync(blob, LayerCompression.Gzip, target, CancellationToken.None);
            Assert.Equal(layer.DiffId, result.DiffId);
        }

        await using (var file = new FileStream(layer.Path, FileMode.Open, FileAccess.Write))
        {
            file.Position = file.Length - 5;
            file.WriteByte(0xFF);
        }

        await using var corrupted = await layer.OpenCompressedAsync(CancellationToken.None);
        await Assert.ThrowsAsync<InvalidDataException>(() => corrupted.CopyToAsync(Stream.Null));
    }

    [Fact]
    public async Task Media_type_must_match_the_compression()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => LayerWriter.WriteToDirectoryAsync(
            Source, FilesystemDiff.Empty, new BlobDirectory(_base), MediaTypes.OciLayer, LayerWriteOptions.Default, CancellationToken.None));
    }

    [Fact]
    public async Task Vanished_paths_and_sockets_are_left_out_with_a_warning()
    {
        var socketPath = Path.Combine(Source, "sock");
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
        var layer = Path.Combine(_base, "layer.tar");

        await WriteAsync(new FilesystemDiff(["/sock", "/missing"], []), layer, new LayerWriteOptions { Compression = LayerCompression.None, Warn = _warnings.Add });

        Assert.Empty(ReadEntries(layer));
        Assert.Equal(2, _warnings.Count);
    }

    [Fact]
    public async Task Paths_under_a_symlink_are_never_read_through_it()
    {
        var outside = Path.Combine(_base, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret"), "host secret");
        File.CreateSymbolicLink(Path.Combine(Source, "lib"), outside);
        var layer = Path.Combine(_base, "layer.tar");

        await WriteAsync(new FilesystemDiff(["/lib/secret"], ["/lib/gone"]), layer, new LayerWriteOptions { Compression = LayerCompression.None, Warn = _warnings.Add });

        var entries = ReadEntries(layer);
        Assert.Equal(["lib"], entries.Select(e => e.Name));
        Assert.Equal(TarEntryType.SymbolicLink, entries[0].EntryType);
        Assert.Equal(2, _warnings.Count);
    }

    [Fact]
    public async Task Empty_diff_gives_an_empty_tar()
    {
        var layer = Path.Combine(_base, "layer.tar");

        var result = await WriteAsync(FilesystemDiff.Empty, layer, new LayerWriteOptions { Compression = LayerCompression.None });

        Assert.Equal(1024, result.Size);
    }

    private static FilesystemDiff EverythingIn(string root) => new(RootfsListing.Paths(root), []);

    private async Task<LayerWriteResult> WriteAsync(FilesystemDiff diff, string path, LayerWriteOptions options)
    {
        await using var file = File.Create(path);
        return await LayerWriter.WriteAsync(Source, diff, file, options, CancellationToken.None);
    }

    private static async Task<byte[]> GunzipAsync(string path)
    {
        await using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var output = new MemoryStream();
        await gzip.CopyToAsync(output);
        return output.ToArray();
    }

    private static List<TarEntry> ReadEntries(string path)
    {
        Stream stream = File.OpenRead(path);
        if (path.EndsWith(".gz", StringComparison.Ordinal))
        {
            stream = new GZipStream(stream, CompressionMode.Decompress);
        }

        using (stream)
        {
            using var reader = new TarReader(stream);
            var entries = new List<TarEntry>();
            while (reader.GetNextEntry(copyData: true) is { } entry)
            {
                entries.Add(entry);
            }

            return entries;
        }
    }
}
