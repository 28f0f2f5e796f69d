using System.Buffers;
using System.Globalization;
using System.Text;
using Drydock.Foundation.Streams;

namespace Drydock.Layers;

/// <summary>
/// A forward-only stream under <see cref="System.Formats.Tar.TarReader"/> that rewrites the two
/// sparse encodings TarReader refuses into the PAX 1.0 form <see cref="GnuSparseFile"/> reads:
/// old GNU entries (type 'S', the map in the header and in extension blocks) and PAX 0.0 maps
/// (offset/numbytes records repeated in one PAX header). Everything else passes through byte for
/// byte. Only headers are parsed; file data goes straight to the reader, never through a buffer.
/// PAX and GNU long-name headers are held back until the header they describe, since a rewrite
/// replaces them; one too big to hold (over <see cref="MaxHeldMetadata"/>) is refused.
/// Entry boundaries come from the same sizes TarReader uses, and a size the two could read
/// differently is refused: a layer must never be one archive to this stream and another to TarReader.
/// </summary>
internal sealed class LegacySparseRewriter(Stream inner) : ReadOnlyStream
{
    private const int BlockSize = TarBlocks.BlockSize;
    private const int MaxHeldMetadata = 16 << 20;
    private const int KeptBufferCapacity = 64 << 10;
    private const string SparsePrefix = "GNU.sparse.";

    // struct oldgnu_header and struct sparse_header (GNU tar's tar.h).
    private const int OldGnuExtrasOffset = 345;
    private const int OldGnuSlotsOffset = 386;
    private const int OldGnuSlots = 4;
    private const int OldGnuIsExtendedOffset = 482;
    private const int OldGnuRealSizeOffset = 483;
    private const int ExtensionSlots = 21;
    private const int ExtensionIsExtendedOffset = 504;
    private const int SlotSize = 24;

    // Header blocks and held metadata, as read: passed on unchanged unless a rewrite replaces them.
    private ArrayBufferWriter<byte> _held = new();
    private ArrayBufferWriter<byte> _output = new();
    private int _outputTaken;
    private long _dataLeft;
    private int _unitLeft;
    private int _unitLength;
    private Unit _unit = Unit.Header;
    private bool _ended;

    // What the held metadata says about the entry it precedes.
    private int _heldUnitStart;
    private byte[]? _paxRecords;
    private byte[]? _longName;

    // The old GNU entry being read: its header, and its map so far. Extension blocks are read
    // into a block of their own and not held: a hostile map costs its segments, not its blocks.
    private readonly byte[] _extension = new byte[BlockSize];
    private byte[]? _oldGnuHeader;
    private long _oldGnuStoredSize;
    private List<(long Offset, long Length)>? _segments;
    private bool _segmentsEnded;
    private string _entryName = "";

    private enum Unit
    {
        Header,
        PaxRecords,
        GlobalRecords,
        LongName,
        OtherMetadata,
        OldGnuExtension,
    }

    public override int Read(Span<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            if (TryTakeOutput(buffer, out var taken))
            {
                return taken;
            }

            if (_dataLeft > 0)
            {
                return PassedData(inner.Read(buffer[..DataChunk(buffer.Length)]));
            }

            Received(inner.Read(NextUnit().Span));
        }

        return 0;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            if (TryTakeOutput(buffer.Span, out var taken))
            {
                return taken;
            }

            if (_dataLeft > 0)
            {
                return PassedData(await inner.ReadAsync(buffer[..DataChunk(buffer.Length)], cancellationToken).ConfigureAwait(false));
            }

            Received(await inner.ReadAsync(NextUnit(), cancellationToken).ConfigureAwait(false));
        }

        return 0;
    }

    // Output first; at the end of the input, 0 once the output is taken.
    private bool TryTakeOutput(Span<byte> buffer, out int taken)
    {
        var pending = _output.WrittenSpan[_outputTaken..];
        if (pending.IsEmpty)
        {
            taken = 0;
            return _ended;
        }

        taken = Math.Min(pending.Length, buffer.Length);
        pending[..taken].CopyTo(buffer);
        _outputTaken += taken;
        if (_outputTaken == _output.WrittenCount)
        {
            _output = Emptied(_output);
            _outputTaken = 0;
        }

        return true;
    }

    private int DataChunk(int bufferLength) => (int)Math.Min(bufferLength, _dataLeft);

    private int PassedData(int read)
    {
        // A short archive is TarReader's to report; it sees the end here.
        _dataLeft = read == 0 ? 0 : _dataLeft - read;
        _ended |= read == 0;
        return read;
    }

    // Where the rest of the unit being read goes: the end of the held bytes.
    private Memory<byte> NextUnit()
    {
        if (_unitLeft == 0)
        {
            _unit = Unit.Header;
            _unitLeft = _unitLength = BlockSize;
            _heldUnitStart = _held.WrittenCount;
        }

        return _unit == Unit.OldGnuExtension
            ? _extension.AsMemory(BlockSize - _unitLeft)
            : _held.GetMemory(_unitLeft)[.._unitLeft];
    }

    private void Received(int read)
    {
        if (read == 0)
        {
            // Whatever was held goes on as it is: TarReader tells what is wrong with a cut archive.
            Release();
            _ended = true;
            return;
        }

        if (_unit != Unit.OldGnuExtension)
        {
            _held.Advance(read);
        }

        _unitLeft -= read;
        if (_unitLeft > 0)
        {
            return;
        }

        var unit = _unit == Unit.OldGnuExtension ? _extension : _held.WrittenSpan.Slice(_heldUnitStart, _unitLength);
        switch (_unit)
        {
            case Unit.Header:
                OnHeader(unit);
                break;
            case Unit.PaxRecords:
                _paxRecords = unit.ToArray();
                break;
            case Unit.GlobalRecords:
                OnGlobalRecords(unit);
                break;
            case Unit.LongName:
                var end = unit.IndexOf((byte)0);
                _longName = (end < 0 ? unit : unit[..end]).ToArray();
                break;
            case Unit.OldGnuExtension:
                TakeSlots(unit, ExtensionSlots);
                if (unit[ExtensionIsExtendedOffset] != 0)
                {
                    ExpectUnit(Unit.OldGnuExtension, BlockSize, BlockSize);
                }
                else
                {
                    RewriteOldGnu();
                }

                break;
        }
    }

    private void OnHeader(ReadOnlySpan<byte> header)
    {
        if (header.IndexOfAnyExcept((byte)0) < 0)
        {
            Release(); // an end-of-archive block
            return;
        }

        var type = header[TarBlocks.TypeOffset];
        var size = TarBlocks.TryParseNumber(header.Slice(TarBlocks.SizeOffset, 12), out var parsed)
            ? parsed
            : throw new InvalidDataException($"Layer entry '{EntryName(header)}' has a size field that is negative or over {TarBlocks.MaxNumber} bytes.");
        switch (type)
        {
            case (byte)'x':
                ExpectMetadata(header, Unit.PaxRecords, size);
                return;
            case (byte)'g' when size > 0:
                ExpectMetadata(header, Unit.GlobalRecords, size);
                return;
            case (byte)'L':
                ExpectMetadata(header, Unit.LongName, size);
                return;
            case (byte)'K':
                ExpectMetadata(header, Unit.OtherMetadata, size);
                return;
        }

        // The held PAX header is for this entry ('g' has none: TarReader refuses 'x' before 'g').
        var storedSize = StoredSize(header, size);
        if (type == (byte)'S')
        {
            BeginOldGnu(header, storedSize);
            return;
        }

        if (type is (byte)'0' or 0 && _paxRecords is not null && HasZeroZeroMap(_paxRecords))
        {
            RewriteZeroZero(storedSize);
            return;
        }

        Release();
        _dataLeft = TarBlocks.Padded(storedSize);
    }

    /// <summary>
    /// The entry's data size as TarReader takes it: a PAX size record's, else the header's.
    /// TarReader parses the record as <see cref="long.Parse(string)"/> does ("+1024", " 1024",
    /// "1024 " all pass) and other tools each their own way; where the next header is must not
    /// depend on that, so anything but plain digits is refused.
    /// </summary>
    private long StoredSize(ReadOnlySpan<byte> header, long headerSize)
    {
        if (HeldRecord("size"u8) is not { } text)
        {
            return headerSize;
        }

        var digits = text.AsSpan().TrimStart((byte)'0'); // zeros in front are plain digits still
        return text.Length > 0 && (digits.IsEmpty ? 0 : ParseDecimal(digits)) is { } size
            ? size
            : throw new InvalidDataException(
                $"Layer entry '{EntryName(header)}' is refused: its PAX size record '{Encoding.UTF8.GetString(text)}' is not a plain decimal number of at most {TarBlocks.MaxDigits} digits.");
    }

    // A header whose data is held with it. One too big to hold is refused rather than passed on
    // unread: a size record in it would move the next header where this stream cannot see.
    private void ExpectMetadata(ReadOnlySpan<byte> header, Unit unit, long size)
    {
        var padded = TarBlocks.Padded(size);
        if (_held.WrittenCount + padded > MaxHeldMetadata)
        {
            throw new InvalidDataException(
                $"Layer entry '{EntryName(header)}' has {size} bytes of PAX or GNU long-name metadata, more than the {MaxHeldMetadata >> 20} MiB Drydock reads.");
        }

        if (padded > 0)
        {
            ExpectUnit(unit, (int)padded, (int)size);
        }
    }

    // TarReader applies no global record to the entries that follow, GNU tar applies a global
    // size: such a layer is two different archives, so it is refused. Other global records pass.
    private void OnGlobalRecords(ReadOnlySpan<byte> records)
    {
        if (LastRecord(records, "size"u8) is not null)
        {
            var header = _held.WrittenSpan.Slice(_heldUnitStart - BlockSize, BlockSize);
            throw new InvalidDataException($"Layer entry '{HeaderName(header)}' is refused: it is a PAX global header with a size record, which tools disagree on applying.");
        }

        Release();
    }

    // The next unit read is `padded` bytes, of which the first `length` count (the rest is padding).
    private void ExpectUnit(Unit unit, int padded, int length)
    {
        _unit = unit;
        _unitLeft = padded;
        _unitLength = length;
        _heldUnitStart = _held.WrittenCount;
    }

    private void BeginOldGnu(ReadOnlySpan<byte> header, long storedSize)
    {
        _oldGnuHeader = header.ToArray();
        _oldGnuStoredSize = storedSize;
        _entryName = EntryName(header);
        _segments = [];
        _segmentsEnded = false;
        TakeSlots(header[OldGnuSlotsOffset..], OldGnuSlots);
        if (header[OldGnuIsExtendedOffset] != 0)
        {
            ExpectUnit(Unit.OldGnuExtension, BlockSize, BlockSize);
        }
        else
        {
            RewriteOldGnu();
        }
    }

    // GNU tar ends the map at the first slot whose size field is empty.
    private void TakeSlots(ReadOnlySpan<byte> slots, int count)
    {
        for (var i = 0; i < count && !_segmentsEnded; i++)
        {
            var slot = slots.Slice(i * SlotSize, SlotSize);
            if (slot[12] == 0)
            {
                _segmentsEnded = true;
                break;
            }

            AddSegment(_segments!, SlotNumber(slot[..12]), SlotNumber(slot[12..]));
        }
    }

    private void AddSegment(List<(long Offset, long Length)> segments, long offset, long length)
    {
        if (segments.Count == GnuSparseFile.MaxSegments)
        {
            throw GnuSparseFile.Malformed(_entryName, $"the sparse map has more than {GnuSparseFile.MaxSegments} segments");
        }

        segments.Add((offset, length));
    }

    private long SlotNumber(ReadOnlySpan<byte> field) =>
        TarBlocks.TryParseNumber(field, out var value)
            ? value
            : throw GnuSparseFile.Malformed(_entryName, "the old GNU sparse map holds a number that is not a size");

    private void RewriteOldGnu()
    {
        // The header becomes a ustar one: type '0', and GNU's fields past the ustar ones cleared.
        var entry = _oldGnuHeader!;
        var realSize = SlotNumber(entry.AsSpan(OldGnuRealSizeOffset, 12));
        entry[TarBlocks.TypeOffset] = (byte)'0';
        entry.AsSpan(OldGnuExtrasOffset, BlockSize - OldGnuExtrasOffset).Clear();
        "ustar\0"u8.CopyTo(entry.AsSpan(257));
        "00"u8.CopyTo(entry.AsSpan(263));
        var name = Encoding.UTF8.GetBytes(_entryName);
        Emit(entry, [("path", name), (SparsePrefix + "name", name), (SparsePrefix + "realsize", Decimal(realSize))], _segments!, _oldGnuStoredSize);
    }

    private void RewriteZeroZero(long storedSize)
    {
        var header = _held.WrittenSpan[_heldUnitStart..];
        _entryName = EntryName(header);
        var segments = new List<(long Offset, long Length)>();
        ReadOnlySpan<byte> records = _paxRecords;
        long? offset = null;
        byte[]? realSize = null;
        while (TarBlocks.TryTakeRecord(ref records, out var key, out var value))
        {
            if (key.SequenceEqual("GNU.sparse.offset"u8) && offset is null)
            {
                offset = MapNumber(value);
            }
            else if (key.SequenceEqual("GNU.sparse.numbytes"u8) && offset is { } start)
            {
                AddSegment(segments, start, MapNumber(value));
                offset = null;
            }
            else if (key.SequenceEqual("GNU.sparse.offset"u8) || key.SequenceEqual("GNU.sparse.numbytes"u8))
            {
                throw GnuSparseFile.Malformed(_entryName, "the GNU sparse 0.0 map does not pair each offset with a size");
            }
            else if (key.SequenceEqual("GNU.sparse.size"u8))
            {
                realSize = value.ToArray();
            }
        }

        if (offset is not null)
        {
            throw GnuSparseFile.Malformed(_entryName, "the GNU sparse 0.0 map does not pair each offset with a size");
        }

        if (realSize is null)
        {
            throw GnuSparseFile.Malformed(_entryName, "the sparse file has no GNU.sparse.size record");
        }

        // The path goes in explicitly: a GNU long name held with the PAX header is dropped with it.
        Emit(header.ToArray(), [("path", Encoding.UTF8.GetBytes(_entryName)), (SparsePrefix + "realsize", realSize)], segments, storedSize);
    }

    private long MapNumber(ReadOnlySpan<byte> text) =>
        ParseDecimal(text) ?? throw GnuSparseFile.Malformed(_entryName, $"the sparse map holds '{Encoding.UTF8.GetString(text)}', which is not a size");

    /// <summary>
    /// Replaces the held headers by one PAX header (the held records but those the rewrite
    /// replaces, then <paramref name="added"/>, the 1.0 version and the new size) and the entry's
    /// header, followed by the map; the stored data then passes through as it is.
    /// </summary>
    private void Emit(byte[] entryHeader, (string Key, byte[] Value)[] added, List<(long Offset, long Length)> segments, long storedSize)
    {
        var map = new ArrayBufferWriter<byte>();
        GnuSparseFile.WriteMap(segments, map);
        var size = checked(map.WrittenCount + storedSize);
        var records = new List<(string Key, byte[] Value)>();
        ReadOnlySpan<byte> held = _paxRecords;
        while (TarBlocks.TryTakeRecord(ref held, out var keyBytes, out var value))
        {
            var key = Encoding.UTF8.GetString(keyBytes);
            if (key != "size" && !key.StartsWith(SparsePrefix, StringComparison.Ordinal) && added.All(a => a.Key != key))
            {
                records.Add((key, value.ToArray()));
            }
        }

        records.AddRange(added);
        records.Add((SparsePrefix + "major", "1"u8.ToArray()));
        records.Add((SparsePrefix + "minor", "0"u8.ToArray()));
        records.Add(("size", Decimal(size)));
        var encoded = TarBlocks.EncodeRecords(records);

        var paxHeader = _output.GetSpan(BlockSize)[..BlockSize];
        TarBlocks.FormatPaxHeader(paxHeader, _entryName, encoded.Length);
        _output.Advance(BlockSize);
        _output.Write(encoded);
        _output.Write(new byte[TarBlocks.Padded(encoded.Length) - encoded.Length]);

        TarBlocks.WriteOctal(entryHeader.AsSpan(TarBlocks.SizeOffset, 12), size > TarBlocks.MaxOctal11 ? 0 : size);
        TarBlocks.WriteChecksum(entryHeader);
        _output.Write(entryHeader);
        _output.Write(map.WrittenSpan);

        ClearHeld();
        _dataLeft = TarBlocks.Padded(storedSize);
    }

    // Passes the held bytes on unchanged.
    private void Release()
    {
        _output.Write(_held.WrittenSpan);
        ClearHeld();
    }

    private void ClearHeld()
    {
        _held = Emptied(_held);
        _heldUnitStart = 0;
        _paxRecords = null;
        _longName = null;
        _segments = null;
        _oldGnuHeader = null;
    }

    // A rewritten map or a big PAX header can grow a buffer to megabytes, not to be kept for the rest of the layer.
    private static ArrayBufferWriter<byte> Emptied(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity > KeptBufferCapacity)
        {
            return new();
        }

        buffer.ResetWrittenCount();
        return buffer;
    }

    // As TarReader names the entry: the PAX path, else a GNU long name, else the header's own.
    private string EntryName(ReadOnlySpan<byte> header) =>
        (HeldRecord("path"u8) ?? _longName) is { } name ? Encoding.UTF8.GetString(name) : HeaderName(header);

    private static string HeaderName(ReadOnlySpan<byte> header) => Encoding.UTF8.GetString(header[..100].TrimEnd((byte)0));

    // The last record of that name in the held PAX header (TarReader refuses one named twice).
    private byte[]? HeldRecord(ReadOnlySpan<byte> name) => LastRecord(_paxRecords, name);

    private static byte[]? LastRecord(ReadOnlySpan<byte> records, ReadOnlySpan<byte> name)
    {
        byte[]? found = null;
        while (TarBlocks.TryTakeRecord(ref records, out var key, out var value))
        {
            if (key.SequenceEqual(name))
            {
                found = value.ToArray();
            }
        }

        return found;
    }

    private static bool HasZeroZeroMap(byte[] records)
    {
        ReadOnlySpan<byte> span = records;
        var offsets = false;
        while (TarBlocks.TryTakeRecord(ref span, out var key, out _))
        {
            if (key.SequenceEqual("GNU.sparse.major"u8) || key.SequenceEqual("GNU.sparse.map"u8))
            {
                return false;
            }

            offsets |= key.SequenceEqual("GNU.sparse.offset"u8);
        }

        return offsets;
    }

    private static long? ParseDecimal(ReadOnlySpan<byte> text) =>
        text.Length is > 0 and <= TarBlocks.MaxDigits && text.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0
            ? long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture)
            : null;

    private static byte[] Decimal(long value) => Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));
}
