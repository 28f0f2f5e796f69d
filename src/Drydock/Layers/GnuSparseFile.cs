using System.Buffers;
using System.Formats.Tar;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Drydock.Layers;

/// <summary>
/// A file GNU tar stored in one of its PAX sparse encodings: only the data segments are in the
/// archive, with a map of where they go. TarReader hands such an entry over as a plain file
/// (under a made-up name, for 0.1 and 1.0), so the map is read and checked here, and the file is
/// rebuilt with its holes left unwritten.
/// </summary>
internal sealed class GnuSparseFile
{
    private const string Prefix = "GNU.sparse.";
    private const int BlockSize = 512;
    private const int CopyBufferSize = 128 * 1024;

    // A map is read whole before the data it describes: 16 bytes a segment, and for an old GNU or
    // 0.0 map LegacySparseRewriter also writes it out as 1.0 text (up to 40 bytes a segment), so
    // the cap bounds what a layer can make us hold to a few MB. GNU tar writes one segment per run
    // of data; real sparse files (lastlog, disk images) have a handful to a few thousand.
    internal const int MaxSegments = 1 << 16;

    private readonly (long Offset, long Length)[] _segments;

    private GnuSparseFile(string name, long realSize, (long Offset, long Length)[] segments)
    {
        Name = name;
        RealSize = realSize;
        _segments = segments;
    }

    /// <summary>The file's own name, in place of the GNUSparseFile.N/ one in the header.</summary>
    public string Name { get; }

    /// <summary>The length of the file, holes included.</summary>
    public long RealSize { get; }

    /// <summary>Whether GNU tar marked the entry as sparse; any <c>GNU.sparse.*</c> record does.</summary>
    public static bool IsSparse(TarEntry entry) =>
        entry is PaxTarEntry { EntryType: TarEntryType.RegularFile or TarEntryType.V7RegularFile } pax
        && pax.ExtendedAttributes.Keys.Any(k => k.StartsWith(Prefix, StringComparison.Ordinal));

    /// <summary>
    /// Reads the map: from the PAX records (0.1) or from the start of the data (1.0), which
    /// leaves the data stream at the first segment. Null for an encoding this does not know.
    /// Throws <see cref="InvalidDataException"/> for a map that does not describe the data.
    /// </summary>
    public static async Task<GnuSparseFile?> ReadAsync(PaxTarEntry entry, CancellationToken cancellationToken)
    {
        var records = entry.ExtendedAttributes;
        var name = records.TryGetValue(Prefix + "name", out var sparseName) && sparseName.Length > 0
            ? sparseName
            : WithoutSparseDirectory(entry.Name);

        if (records.TryGetValue(Prefix + "major", out var major) || records.TryGetValue(Prefix + "minor", out _))
        {
            if (major != "1" || !records.TryGetValue(Prefix + "minor", out var minor) || minor != "0")
            {
                return null;
            }

            var realSize = Number(entry, records, "realsize");
            var (segments, mapBytes) = await ReadMapAsync(entry, cancellationToken).ConfigureAwait(false);
            return Checked(entry, name, realSize, segments, entry.Length - mapBytes);
        }

        if (records.TryGetValue(Prefix + "map", out var map))
        {
            var numbers = map.Length == 0 ? [] : map.Split(',');
            if (numbers.Length % 2 != 0 || numbers.Length / 2 > MaxSegments)
            {
                throw Malformed(entry, $"GNU.sparse.map has {numbers.Length} numbers, not offset,size pairs");
            }

            var segments = new (long, long)[numbers.Length / 2];
            for (var i = 0; i < segments.Length; i++)
            {
                segments[i] = (Parse(entry, numbers[2 * i]), Parse(entry, numbers[(2 * i) + 1]));
            }

            return Checked(entry, name, Number(entry, records, "size"), segments, entry.Length);
        }

        // 0.0 maps and old GNU entries arrive here as 1.0, rewritten by LegacySparseRewriter.
        return null;
    }

    /// <summary>
    /// Writes each segment at its offset and sets the length, so the holes stay holes rather than
    /// written zeros. The map was checked against the entry's size; a short stream is an error.
    /// </summary>
    public async Task WriteAsync(Stream data, SafeFileHandle file, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            foreach (var (offset, length) in _segments)
            {
                for (long done = 0; done < length;)
                {
                    var chunk = (int)Math.Min(CopyBufferSize, length - done);
                    await data.ReadExactlyAsync(buffer.AsMemory(0, chunk), cancellationToken).ConfigureAwait(false);

                    // Straight to the page cache, as for plain files (see LayerEntryApplier.CopyToFileAsync).
                    RandomAccess.Write(file, buffer.AsSpan(0, chunk), offset + done);
                    done += chunk;
                }
            }

            RandomAccess.SetLength(file, RealSize);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // GNU tar names the header "dir/GNUSparseFile.PID/base" so that tars unaware of sparse files do
    // not overwrite the real one; the real name is that with the made-up directory taken out.
    private static string WithoutSparseDirectory(string headerName)
    {
        var parts = headerName.Split('/');
        if (parts.Length < 2 || !parts[^2].StartsWith("GNUSparseFile.", StringComparison.Ordinal))
        {
            return headerName;
        }

        return string.Join('/', parts[..^2].Append(parts[^1]));
    }

    /// <summary>Writes the 1.0 map of <paramref name="segments"/>: decimal lines padded to a block.</summary>
    internal static void WriteMap(IReadOnlyList<(long Offset, long Length)> segments, IBufferWriter<byte> output)
    {
        long written = WriteLine(output, segments.Count);
        foreach (var (offset, length) in segments)
        {
            written += WriteLine(output, offset) + WriteLine(output, length);
        }

        var padding = (int)(TarBlocks.Padded(written) - written);
        output.GetSpan(padding)[..padding].Clear();
        output.Advance(padding);
    }

    private static int WriteLine(IBufferWriter<byte> output, long value)
    {
        var line = output.GetSpan(21); // long.MaxValue's 19 digits, a sign and the newline
        value.TryFormat(line, out var digits, provider: CultureInfo.InvariantCulture);
        line[digits] = (byte)'\n';
        output.Advance(digits + 1);
        return digits + 1;
    }

    // The 1.0 map: decimal lines (count, then offset and size per segment), padded to a block.
    // Read a block at a time, so nothing past the map's own blocks is taken from the stream.
    private static async Task<((long, long)[] Segments, long MapBytes)> ReadMapAsync(PaxTarEntry entry, CancellationToken cancellationToken)
    {
        if (entry.DataStream is null || entry.Length < BlockSize)
        {
            throw Malformed(entry, "the data is too short to hold a GNU sparse 1.0 map");
        }

        var block = new byte[BlockSize];
        long mapBytes = 0;
        long? count = null;
        var numbers = new List<long>();
        long current = 0;
        var digits = 0;
        while (count is null || numbers.Count < 2 * count)
        {
            if (mapBytes + BlockSize > entry.Length)
            {
                throw Malformed(entry, "the GNU sparse 1.0 map runs past the end of the data");
            }

            await entry.DataStream.ReadExactlyAsync(block, cancellationToken).ConfigureAwait(false);
            mapBytes += BlockSize;
            foreach (var b in block)
            {
                if (b == '\n')
                {
                    if (digits == 0)
                    {
                        throw Malformed(entry, "the GNU sparse 1.0 map has an empty line");
                    }

                    if (count is null)
                    {
                        count = current <= MaxSegments ? current : throw Malformed(entry, $"the GNU sparse 1.0 map claims {current} segments, more than {MaxSegments}");
                    }
                    else
                    {
                        numbers.Add(current);
                    }

                    (current, digits) = (0, 0);
                    if (numbers.Count == 2 * count)
                    {
                        break; // the rest of the block is padding
                    }
                }
                else if (b is >= (byte)'0' and <= (byte)'9' && digits < TarBlocks.MaxDigits)
                {
                    current = (current * 10) + (b - '0');
                    digits++;
                }
                else
                {
                    throw Malformed(entry, "the GNU sparse 1.0 map holds something other than decimal lines");
                }
            }
        }

        var segments = new (long, long)[numbers.Count / 2];
        for (var i = 0; i < segments.Length; i++)
        {
            segments[i] = (numbers[2 * i], numbers[(2 * i) + 1]);
        }

        return (segments, mapBytes);
    }

    // Every segment lies inside the file, after the one before it, and together they are exactly
    // the data stored: anything else would leave data unread or write past what the map promised.
    private static GnuSparseFile Checked(PaxTarEntry entry, string name, long realSize, (long Offset, long Length)[] segments, long storedBytes)
    {
        long end = 0;
        long total = 0;
        foreach (var (offset, length) in segments)
        {
            if (offset < end)
            {
                throw Malformed(entry, $"the sparse segment at {offset} overlaps or precedes the one ending at {end}");
            }

            if (offset > realSize || length > realSize - offset)
            {
                throw Malformed(entry, $"the sparse segment at {offset} of {length} bytes lies past the file's size of {realSize}");
            }

            end = offset + length;
            total += length;
        }

        if (total != storedBytes)
        {
            throw Malformed(entry, $"the sparse map describes {total} bytes of data, but the entry stores {storedBytes}");
        }

        return new GnuSparseFile(name, realSize, segments);
    }

    private static long Number(PaxTarEntry entry, IReadOnlyDictionary<string, string> records, string key) =>
        records.TryGetValue(Prefix + key, out var text)
            ? Parse(entry, text)
            : throw Malformed(entry, $"the sparse file has no {Prefix}{key} record");

    private static long Parse(PaxTarEntry entry, string text) =>
        text.Length is > 0 and <= TarBlocks.MaxDigits && text.All(char.IsAsciiDigit)
            ? long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture)
            : throw Malformed(entry, $"the sparse map holds '{text}', which is not a size");

    private static InvalidDataException Malformed(TarEntry entry, string problem) => Malformed(entry.Name, problem);

    internal static InvalidDataException Malformed(string entryName, string problem) =>
        new($"Layer entry '{entryName}' is a malformed GNU sparse file: {problem}.");
}
