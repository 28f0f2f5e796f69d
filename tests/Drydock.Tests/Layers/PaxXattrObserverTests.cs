using System.Formats.Tar;
using Drydock.Layers;
using Drydock.Native;

namespace Drydock.Tests.Layers;

public sealed class PaxXattrObserverTests : IDisposable
{
    private readonly LayerTestTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [RootFact]
    public async Task Binary_capability_from_a_gnu_tar_layer_is_applied_intact()
    {
        var source = Path.Combine(_tree.Base, "source");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "ping"), "elf");
        NativeFiles.SetXattr(Path.Combine(source, "ping"), "security.capability", SampleTree.Capability);
        NativeFiles.SetXattr(Path.Combine(source, "ping"), "user.bytes", [0xC3, 0x28, 0xFF]);
        var layer = Path.Combine(_tree.Base, "layer.tar");
        await Tool.RunAsync("tar", "--format=posix", "--xattrs", "--xattrs-include=*", "-C", source, "-cf", layer, "ping");
        var bytes = await File.ReadAllBytesAsync(layer);
        File.Delete(layer);
        Directory.Delete(source, recursive: true);

        await _tree.ExtractAsync(bytes);

        Assert.Equal(SampleTree.Capability, NativeFiles.GetXattr(_tree.InRoot("ping"), "security.capability"));
        Assert.Equal([0xC3, 0x28, 0xFF], NativeFiles.GetXattr(_tree.InRoot("ping"), "user.bytes")!);
        Assert.Empty(_tree.Warnings);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(512)]
    [InlineData(65536)]
    public async Task Raw_values_stay_aligned_with_entries_whatever_the_read_sizes(int chunk)
    {
        var longName = new string('d', 120) + "/file";
        var tar = new TestTar(TarEntryFormat.Gnu).File(longName, new string('x', 1000)).Dir("dir/").ToArray();
        var pax = new TestTar()
            .File("a", "data", pax: new Dictionary<string, string> { ["SCHILY.xattr.user.a"] = "1" })
            .File("b", new string('y', 700))
            .File("c", "", pax: new Dictionary<string, string> { ["SCHILY.xattr.user.c"] = "3", ["SCHILY.xattr.user.cc"] = "33" })
            .ToArray();

        Assert.Equal([(1L, ""), (2L, "")], await ObserveAsync(tar, chunk));
        Assert.Equal([(1L, "user.a=1"), (2L, ""), (3L, "user.c=3,user.cc=33")], await ObserveAsync(pax, chunk));
    }

    private static async Task<List<(long Entries, string Xattrs)>> ObserveAsync(byte[] tar, int chunk)
    {
        var observer = new PaxXattrObserver(new ChunkedStream(tar, chunk));
        using var reader = new TarReader(observer);
        var seen = new List<(long, string)>();
        while (await reader.GetNextEntryAsync(copyData: false) is not null)
        {
            var xattrs = string.Join(',', observer.CurrentXattrs.OrderBy(x => x.Key, StringComparer.Ordinal)
                .Select(x => x.Key + "=" + System.Text.Encoding.UTF8.GetString(x.Value)));
            seen.Add((observer.EntriesBegun, xattrs));
        }

        return seen;
    }

    /// <summary>Hands out at most <c>chunk</c> bytes per read, like a slow network stream.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(chunk, buffer.Length)]);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(chunk, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(chunk, count), cancellationToken);
    }
}
