using System.Globalization;
using System.Text;
using Drydock.Layers;

namespace Drydock.Tests.Layers;

/// <summary>
/// Hand-made old GNU ('S') and PAX 0.0 sparse entries, well-formed and hostile: a bad map ends
/// the extraction with one message naming the entry, and nothing is written outside the root.
/// </summary>
public sealed class LegacySparseRewriterTests : IDisposable
{
    private readonly LayerTestTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [RootFact]
    public async Task An_old_gnu_map_with_extension_blocks_places_its_segments()
    {
        // 30 segments: 4 in the header, 21 in a first extension block, 5 in a second.
        var segments = Enumerable.Range(0, 30).Select(i => ((long)i * 100, 3L)).ToArray();
        var data = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 30).Select(i => i.ToString("D3", CultureInfo.InvariantCulture))));
        var layer = Tar(OldGnu("dir/file", 3_000, segments, data), Plain("after", "still read"));

        await _tree.ExtractAsync(layer);

        var content = await File.ReadAllBytesAsync(_tree.InRoot("dir/file"));
        Assert.Equal(3_000, content.Length);
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(i.ToString("D3", CultureInfo.InvariantCulture), Encoding.ASCII.GetString(content, i * 100, 3));
            Assert.All(content.AsSpan((i * 100) + 3, 97).ToArray(), b => Assert.Equal(0, b));
        }

        Assert.Equal("still read", await File.ReadAllTextAsync(_tree.InRoot("after")));
        Assert.Empty(_tree.Warnings);
    }

    [Theory]
    [InlineData(new long[] { 0, 10, 5, 10 }, 100, 20, "overlaps or precedes")]
    [InlineData(new long[] { 50, 10, 0, 10 }, 100, 20, "overlaps or precedes")]
    [InlineData(new long[] { 95, 10 }, 100, 10, "past the file's size")]
    [InlineData(new long[] { 0, 10 }, 5, 10, "past the file's size")]
    [InlineData(new long[] { 0, 7 }, 100, 10, "describes 7 bytes")]
    [InlineData(new long[] { 0, 10, 20, 10 }, 100, 10, "describes 20 bytes")]
    public async Task Bad_old_gnu_maps_are_refused(long[] map, long realSize, int stored, string problem)
    {
        var segments = map.Chunk(2).Select(p => (p[0], p[1])).ToArray();
        var layer = Tar(OldGnu("victim", realSize, segments, new byte[stored]));

        await AssertMalformedSparseAsync(layer, problem);
    }

    [Fact]
    public async Task A_negative_old_gnu_offset_is_refused()
    {
        var header = OldGnu("victim", 100, [(0, 10)], new byte[10]);
        header.AsSpan(386, 12).Fill(0xFF); // base-256 -1

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _tree.ExtractAsync(Tar(header)));

        Assert.Contains("Layer entry 'victim'", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a size", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_old_gnu_map_of_more_than_65536_segments_is_refused()
    {
        var segments = Enumerable.Range(0, 65_537).Select(i => ((long)i, 0L)).ToArray();
        var layer = Tar(OldGnu("victim", 65_537, segments, []));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _tree.ExtractAsync(layer));

        Assert.Contains("more than 65536 segments", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_tree.InRoot("victim")));
    }

    [Fact]
    public async Task A_pax_0_0_map_of_more_than_65536_segments_is_refused()
    {
        var records = new List<(string, byte[])> { ("GNU.sparse.size", "70000"u8.ToArray()) };
        for (var i = 0; i < 65_537; i++)
        {
            records.Add(("GNU.sparse.offset", Encoding.ASCII.GetBytes(i.ToString(CultureInfo.InvariantCulture))));
            records.Add(("GNU.sparse.numbytes", "0"u8.ToArray()));
        }

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _tree.ExtractAsync(Tar(Pax("victim", records), Plain("victim", ""))));

        Assert.Contains("Layer entry 'victim'", error.Message, StringComparison.Ordinal);
        Assert.Contains("more than 65536 segments", error.Message, StringComparison.Ordinal);
    }

    // Entry f's PAX size says its data is the next 1024 bytes, an old GNU header among them: read
    // any other way, that data would become a file of its own.
    [Theory]
    [InlineData("+1024")]
    [InlineData(" 1024")]
    [InlineData("1024 ")]
    [InlineData("")]
    [InlineData("1000000000000000000")]
    public async Task A_pax_size_record_that_is_not_plain_digits_is_refused(string size)
    {
        var layer = Tar(Pax("f", [("size", Encoding.ASCII.GetBytes(size))]), Plain("f", ""), SmuggledEntry());

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _tree.ExtractAsync(layer));

        Assert.Contains($"Layer entry 'f' is refused: its PAX size record '{size}' is not a plain decimal number", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_tree.InRoot("evil")));
    }

    [Fact]
    public async Task A_pax_size_with_leading_zeros_is_the_size_tar_reader_reads()
    {
        var layer = Tar(Pax("f", [("size", Encoding.ASCII.GetBytes(new string('0', 30) + "1024"))]), Plain("f", ""), SmuggledEntry());

        await _tree.ExtractAsync(layer);

        Assert.Equal(SmuggledEntry(), await File.ReadAllBytesAsync(_tree.InRoot("f")));
        Assert.False(File.Exists(_tree.InRoot("evil")));
    }

    [Fact]
    public async Task A_pax_global_header_with_a_size_record_is_refused()
    {
        var global = Pax("global", [("size", "1024"u8.ToArray())]);
        global[156] = (byte)'g';
        Checksum(global);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _tree.ExtractAsync(Tar(global, Plain("f", ""), SmuggledEntry())));

        Assert.Contains("PAX global header with a size record", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_tree.InRoot("evil")));
    }

    [Fact]
    public async Task A_pax_header_too_big_to_read_is_refused()
    {
        var layer = Tar(
            Pax("f", [("comment", new byte[16 << 20]), ("size", "1024"u8.ToArray())]),
            Plain("f", ""),
            SmuggledEntry());

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _tree.ExtractAsync(layer));

        Assert.Contains("more than the 16 MiB Drydock reads", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_tree.InRoot("evil")));
    }

    // A base-256 size near long.MaxValue once overflowed the padding sum.
    [Theory]
    [InlineData('x')]
    [InlineData('0')]
    [InlineData('S')]
    public async Task A_size_field_past_any_real_size_is_refused(char type)
    {
        var header = Header("huge", type, 0, "ustar  \0"u8);
        header[124] = 0x80;
        header.AsSpan(125, 11).Fill(0xFF);
        header[128] = 0x7F;
        Checksum(header);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _tree.ExtractAsync(Tar(header, new byte[4096])));

        Assert.Contains("Layer entry 'huge' has a size field that is negative or over", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pax_0_0_entry_after_a_gnu_long_name_takes_the_long_name()
    {
        var name = "a/path/longer/than/the/header/keeps/" + new string('x', 120);
        var records = new List<(string, byte[])>
        {
            ("GNU.sparse.size", "100"u8.ToArray()),
            ("GNU.sparse.offset", "90"u8.ToArray()),
            ("GNU.sparse.numbytes", "3"u8.ToArray()),
        };
        var layer = Tar(LongName(name), Pax("ignored", records), Plain(name[..100], "XYZ"));

        await _tree.ExtractAsync(layer);

        var content = await File.ReadAllBytesAsync(_tree.InRoot(name));
        Assert.Equal(100, content.Length);
        Assert.Equal("XYZ"u8.ToArray(), content[90..93]);
        Assert.Single(Directory.GetFiles(_tree.InRoot("a/path/longer/than/the/header/keeps")));
    }

    [Fact]
    public async Task An_old_gnu_name_climbing_out_of_the_root_stays_inside()
    {
        var layer = Tar(OldGnu("../../escaped", 1_000, [(500, 2)], "hi"u8.ToArray()));

        await _tree.ExtractAsync(layer);

        Assert.Equal(1_000, new FileInfo(_tree.InRoot("escaped")).Length);
        Assert.Contains(_tree.Warnings, w => w.Contains("climbs above the root", StringComparison.Ordinal));
        _tree.AssertOutsideUntouched();
    }

    [Theory]
    [InlineData("GNU.sparse.offset=0|GNU.sparse.numbytes=5|GNU.sparse.offset=3|GNU.sparse.numbytes=5", 10, "overlaps or precedes")]
    [InlineData("GNU.sparse.offset=0|GNU.sparse.numbytes=5|GNU.sparse.offset=200|GNU.sparse.numbytes=5", 10, "past the file's size")]
    [InlineData("GNU.sparse.offset=0|GNU.sparse.numbytes=5|GNU.sparse.offset=50|GNU.sparse.numbytes=5", 12, "describes 10 bytes")]
    [InlineData("GNU.sparse.offset=0|GNU.sparse.offset=5|GNU.sparse.numbytes=5", 5, "does not pair")]
    [InlineData("GNU.sparse.offset=0|GNU.sparse.numbytes=5|GNU.sparse.offset=50", 5, "does not pair")]
    [InlineData("GNU.sparse.offset=0|GNU.sparse.numbytes=-5|GNU.sparse.offset=9|GNU.sparse.numbytes=5", 5, "not a size")]
    public async Task Bad_pax_0_0_maps_are_refused(string map, int stored, string problem)
    {
        var records = new List<(string, byte[])> { ("GNU.sparse.size", "100"u8.ToArray()) };
        records.AddRange(map.Split('|').Select(r => r.Split('=')).Select(kv => (kv[0], Encoding.ASCII.GetBytes(kv[1]))));
        var layer = Tar(Pax("victim", records), Plain("victim", new string('d', stored)));

        await AssertMalformedSparseAsync(layer, problem);
    }

    [Fact]
    public async Task Other_pax_headers_and_xattrs_of_a_0_0_entry_are_kept()
    {
        var records = new List<(string, byte[])>
        {
            ("GNU.sparse.size", "100"u8.ToArray()),
            ("GNU.sparse.offset", "10"u8.ToArray()),
            ("GNU.sparse.numbytes", "2"u8.ToArray()),
            ("GNU.sparse.offset", "90"u8.ToArray()),
            ("GNU.sparse.numbytes", "3"u8.ToArray()),
            ("path", Encoding.ASCII.GetBytes("a/path/longer/than/anything/the/header/keeps/" + new string('x', 120))),
            ("mtime", "1000000000.5"u8.ToArray()),
            ("SCHILY.xattr.user.binary", [0xC3, 0x28, 0x00, 0xFF]),
        };
        var layer = Tar(Pax("ignored", records), Plain("ignored", "abXYZ"));

        await _tree.ExtractAsync(layer);

        var path = _tree.InRoot("a/path/longer/than/anything/the/header/keeps/" + new string('x', 120));
        var expected = new byte[100];
        "ab"u8.CopyTo(expected.AsSpan(10));
        "XYZ"u8.CopyTo(expected.AsSpan(90));
        Assert.Equal(expected, await File.ReadAllBytesAsync(path));
        Assert.Equal(new DateTime(2001, 9, 9, 1, 46, 40, 500, DateTimeKind.Utc), File.GetLastWriteTimeUtc(path));
        Assert.Equal(new byte[] { 0xC3, 0x28, 0x00, 0xFF }, Drydock.Native.NativeFiles.GetXattr(path, "user.binary"));
    }

    /// <summary>The layer is refused for its entry 'victim', naming the problem, and nothing is written.</summary>
    private async Task AssertMalformedSparseAsync(byte[] layer, string problem)
    {
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _tree.ExtractAsync(layer));

        Assert.Contains("Layer entry 'victim' is a malformed GNU sparse file", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_tree.InRoot("victim")));
        _tree.AssertOutsideUntouched();
    }

    private static byte[] Tar(params byte[][] parts) => [.. parts.SelectMany(p => p), .. new byte[1024]];

    // struct oldgnu_header: the first four segments in the header, the rest in extension blocks
    // of 21, each block flagging whether another follows.
    private static byte[] OldGnu(string name, long realSize, (long Offset, long Length)[] segments, byte[] data)
    {
        var header = Header(name, 'S', data.Length, "ustar  \0"u8);
        var extensions = new List<byte[]>();
        WriteSlots(header.AsSpan(386), segments.Take(4));
        Octal(header.AsSpan(483, 12), realSize);
        header[482] = (byte)(segments.Length > 4 ? 1 : 0);
        for (var start = 4; start < segments.Length; start += 21)
        {
            var block = new byte[512];
            WriteSlots(block, segments.Skip(start).Take(21));
            block[504] = (byte)(start + 21 < segments.Length ? 1 : 0);
            extensions.Add(block);
        }

        Checksum(header);
        return [.. header, .. extensions.SelectMany(b => b), .. Padded(data)];
    }

    private static byte[] Pax(string name, List<(string Key, byte[] Value)> records)
    {
        var encoded = TarBlocks.EncodeRecords(records);
        var header = new byte[512];
        TarBlocks.FormatPaxHeader(header, name, encoded.Length);
        return [.. header, .. Padded(encoded)];
    }

    // An old GNU sparse entry, header and data: two blocks, as the data of an entry before it.
    private static byte[] SmuggledEntry() => OldGnu("evil", 10, [(0, 2)], "hi"u8.ToArray());

    private static byte[] LongName(string name)
    {
        var data = Encoding.UTF8.GetBytes(name + "\0");
        var header = Header("././@LongLink", 'L', data.Length, "ustar  \0"u8);
        Checksum(header);
        return [.. header, .. Padded(data)];
    }

    private static byte[] Plain(string name, string content)
    {
        var data = Encoding.ASCII.GetBytes(content);
        var header = Header(name, '0', data.Length, [.. "ustar"u8, 0, .. "00"u8]);
        Checksum(header);
        return [.. header, .. Padded(data)];
    }

    private static byte[] Header(string name, char type, long size, ReadOnlySpan<byte> magic)
    {
        var header = new byte[512];
        Encoding.ASCII.GetBytes(name).CopyTo(header, 0);
        Octal(header.AsSpan(100, 8), 0x1A4);
        Octal(header.AsSpan(108, 8), 0);
        Octal(header.AsSpan(116, 8), 0);
        Octal(header.AsSpan(124, 12), size);
        Octal(header.AsSpan(136, 12), 1_000_000_000);
        header[156] = (byte)type;
        magic.CopyTo(header.AsSpan(257));
        return header;
    }

    private static void WriteSlots(Span<byte> slots, IEnumerable<(long Offset, long Length)> segments)
    {
        var i = 0;
        foreach (var (offset, length) in segments)
        {
            Octal(slots.Slice(i * 24, 12), offset);
            Octal(slots.Slice((i * 24) + 12, 12), length);
            i++;
        }
    }

    private static void Octal(Span<byte> field, long value) => TarBlocks.WriteOctal(field, value);

    private static void Checksum(byte[] header) => TarBlocks.WriteChecksum(header);

    private static byte[] Padded(byte[] data) => [.. data, .. new byte[TarBlocks.Padded(data.Length) - data.Length]];
}
