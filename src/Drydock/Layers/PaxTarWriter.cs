using System.Buffers;
using System.Formats.Tar;
using System.Text;

namespace Drydock.Layers;

/// <summary>
/// Writes a POSIX (PAX) tar stream: a ustar header per entry, preceded by a PAX extended header only
/// when a field does not fit ustar (long or non-ASCII names, big ids or sizes, sub-second mtimes,
/// xattrs). It exists instead of <see cref="TarWriter"/> because layer digests must be reproducible:
/// TarWriter names every PAX header after the process id, rounds times to microseconds and can only
/// write xattr values that are valid UTF-8 (security.capability is binary).
/// Output goes through one pooled buffer so the stream below sees few, large writes.
/// </summary>
internal sealed class PaxTarWriter : IAsyncDisposable
{
    private const int BlockSize = 512;
    private const int BufferSize = 128 * 1024;
    private const long MaxOctal7 = 0x1FFFFF; // 7 octal digits
    private const long MaxOctal11 = 0x1FFFFFFFF; // 11 octal digits

    private readonly Stream _output;
    private readonly bool _subsecondTimes;
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    private int _used;
    private bool _finished;

    /// <param name="output">Receives the archive; it is left open.</param>
    /// <param name="subsecondTimes">Record nanoseconds of mtimes in PAX headers (otherwise seconds only).</param>
    public PaxTarWriter(Stream output, bool subsecondTimes)
    {
        _output = output;
        _subsecondTimes = subsecondTimes;
    }

    /// <summary>
    /// Writes one entry. For a regular file, exactly <see cref="TarEntryHeader.Size"/> bytes are
    /// taken from <paramref name="data"/>; returns false when it ended early (the rest is zeros).
    /// </summary>
    public async ValueTask<bool> WriteEntryAsync(TarEntryHeader header, Stream? data, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        var size = header.Type == TarEntryType.RegularFile ? header.Size : 0;
        var records = PaxRecords(header, size);
        if (records is not null)
        {
            await WriteHeaderAsync(PaxHeaderName(header.Name), TarEntryType.ExtendedAttributes, records.Length, cancellationToken).ConfigureAwait(false);
            await WriteDataAsync(new MemoryStream(records, writable: false), records.Length, cancellationToken).ConfigureAwait(false);
        }

        await EnsureSpaceAsync(BlockSize, cancellationToken).ConfigureAwait(false);
        FormatUstarHeader(_buffer.AsSpan(_used, BlockSize), header, size);
        _used += BlockSize;
        return size == 0 || await WriteDataAsync(data ?? Stream.Null, size, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the end-of-archive marker (two zero blocks) and flushes everything.</summary>
    public async ValueTask FinishAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        if (_finished)
        {
            return;
        }

        _finished = true;
        await WriteZerosAsync(2 * BlockSize, cancellationToken).ConfigureAwait(false);
        await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        return ValueTask.CompletedTask;
    }

    private static byte[]? PaxRecords(TarEntryHeader header, long size)
    {
        List<(string Key, byte[] Value)>? records = null;
        void Add(string key, string value) => (records ??= []).Add((key, Encoding.UTF8.GetBytes(value)));

        if (!FitsUstar(header.Name, 100))
        {
            Add("path", header.Name);
        }

        if (!FitsUstar(header.LinkName, 100))
        {
            Add("linkpath", header.LinkName);
        }

        if (size > MaxOctal11)
        {
            Add("size", size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (header.Uid is < 0 or > MaxOctal7)
        {
            Add("uid", header.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (header.Gid is < 0 or > MaxOctal7)
        {
            Add("gid", header.Gid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var mtime = header.ModificationTime;
        if (mtime.Seconds is < 0 or > MaxOctal11 || mtime.Nanoseconds != 0)
        {
            Add("mtime", mtime.ToPaxString());
        }

        foreach (var (name, value) in header.Xattrs)
        {
            (records ??= []).Add(("SCHILY.xattr." + name, value));
        }

        return records is null ? null : EncodeRecords(records);
    }

    // Each record is "<length> <key>=<value>\n", where the length counts its own digits.
    private static byte[] EncodeRecords(List<(string Key, byte[] Value)> records)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var (key, value) in records)
        {
            var keyBytes = Encoding.UTF8.GetBytes(key);
            var baseLength = keyBytes.Length + value.Length + 3;
            var length = baseLength + 1;
            while (length != baseLength + Digits(length))
            {
                length = baseLength + Digits(length);
            }

            Encoding.ASCII.GetBytes(length.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ", output);
            output.Write(keyBytes);
            output.Write("="u8);
            output.Write(value);
            output.Write("\n"u8);
        }

        return output.WrittenSpan.ToArray();
    }

    private static int Digits(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;

    private static bool FitsUstar(string text, int width) => text.Length <= width && Ascii.IsValid(text);

    // Fixed, like Go's archive/tar ("PaxHeaders.0"): anything that varies here breaks reproducibility.
    private static string PaxHeaderName(string name)
    {
        var trimmed = name.TrimEnd('/');
        var baseName = trimmed[(trimmed.LastIndexOf('/') + 1)..];
        var ascii = new string(baseName.Select(c => char.IsAscii(c) && c != '\0' ? c : '_').ToArray());
        var result = "PaxHeaders.0/" + ascii;
        return result.Length > 100 ? result[..100] : result;
    }

    private static void FormatUstarHeader(Span<byte> block, TarEntryHeader header, long size)
    {
        block.Clear();
        WriteText(block[..100], header.Name);
        WriteOctal(block.Slice(100, 8), (long)header.Mode & 0xFFF);
        WriteOctal(block.Slice(108, 8), header.Uid is < 0 or > MaxOctal7 ? 0 : header.Uid);
        WriteOctal(block.Slice(116, 8), header.Gid is < 0 or > MaxOctal7 ? 0 : header.Gid);
        WriteOctal(block.Slice(124, 12), size > MaxOctal11 ? 0 : size);
        var seconds = header.ModificationTime.Seconds;
        WriteOctal(block.Slice(136, 12), seconds is < 0 or > MaxOctal11 ? 0 : seconds);
        block[156] = (byte)header.Type;
        WriteText(block.Slice(157, 100), header.LinkName);
        "ustar\0"u8.CopyTo(block[257..]);
        "00"u8.CopyTo(block[263..]);
        if (header.Type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice)
        {
            WriteOctal(block.Slice(329, 8), header.DeviceMajor);
            WriteOctal(block.Slice(337, 8), header.DeviceMinor);
        }

        WriteChecksum(block);
    }

    private static void FormatPlainHeader(Span<byte> block, string name, TarEntryType type, long size)
    {
        block.Clear();
        WriteText(block[..100], name);
        WriteOctal(block.Slice(100, 8), 0x1A4); // 0644
        WriteOctal(block.Slice(108, 8), 0);
        WriteOctal(block.Slice(116, 8), 0);
        WriteOctal(block.Slice(124, 12), size);
        WriteOctal(block.Slice(136, 12), 0);
        block[156] = (byte)type;
        "ustar\0"u8.CopyTo(block[257..]);
        "00"u8.CopyTo(block[263..]);
        WriteChecksum(block);
    }

    private static void WriteChecksum(Span<byte> block)
    {
        block.Slice(148, 8).Fill((byte)' ');
        var sum = 0;
        foreach (var b in block)
        {
            sum += b;
        }

        WriteOctal(block.Slice(148, 7), sum);
        block[155] = (byte)' ';
    }

    // A field that does not fit gets as much as fits; the PAX record carries the whole value.
    private static void WriteText(Span<byte> field, string text)
    {
        if (Ascii.IsValid(text))
        {
            Encoding.ASCII.GetBytes(text.AsSpan(0, Math.Min(text.Length, field.Length)), field);
            return;
        }

        var ascii = new string(text.Select(c => char.IsAscii(c) ? c : '_').ToArray());
        Encoding.ASCII.GetBytes(ascii.AsSpan(0, Math.Min(ascii.Length, field.Length)), field);
    }

    // Zero-padded octal digits filling the field but its last byte, which stays NUL.
    private static void WriteOctal(Span<byte> field, long value)
    {
        for (var i = field.Length - 2; i >= 0; i--)
        {
            field[i] = (byte)('0' + (value & 7));
            value >>= 3;
        }

        field[^1] = 0;
    }

    private async ValueTask WriteHeaderAsync(string name, TarEntryType type, long size, CancellationToken cancellationToken)
    {
        await EnsureSpaceAsync(BlockSize, cancellationToken).ConfigureAwait(false);
        FormatPlainHeader(_buffer.AsSpan(_used, BlockSize), name, type, size);
        _used += BlockSize;
    }

    // Copies exactly `size` bytes, reading straight into the output buffer, then pads the block.
    private async ValueTask<bool> WriteDataAsync(Stream data, long size, CancellationToken cancellationToken)
    {
        var remaining = size;
        var complete = true;
        while (remaining > 0)
        {
            await EnsureSpaceAsync(1, cancellationToken).ConfigureAwait(false);
            var room = (int)Math.Min(_buffer!.Length - _used, remaining);
            var read = await data.ReadAsync(_buffer.AsMemory(_used, room), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                complete = false;
                await WriteZerosAsync(remaining, cancellationToken).ConfigureAwait(false);
                break;
            }

            _used += read;
            remaining -= read;
        }

        var padding = (BlockSize - (int)(size % BlockSize)) % BlockSize;
        await WriteZerosAsync(padding, cancellationToken).ConfigureAwait(false);
        return complete;
    }

    private async ValueTask WriteZerosAsync(long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            await EnsureSpaceAsync(1, cancellationToken).ConfigureAwait(false);
            var n = (int)Math.Min(_buffer!.Length - _used, count);
            _buffer.AsSpan(_used, n).Clear();
            _used += n;
            count -= n;
        }
    }

    private async ValueTask EnsureSpaceAsync(int count, CancellationToken cancellationToken)
    {
        if (_buffer!.Length - _used < count)
        {
            await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask FlushBufferAsync(CancellationToken cancellationToken)
    {
        if (_used > 0)
        {
            await _output.WriteAsync(_buffer.AsMemory(0, _used), cancellationToken).ConfigureAwait(false);
            _used = 0;
        }
    }
}
