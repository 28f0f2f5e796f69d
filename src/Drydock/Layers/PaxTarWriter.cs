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
    private const int BlockSize = TarBlocks.BlockSize;
    private const int BufferSize = 128 * 1024;
    private const long MaxOctal7 = 0x1FFFFF; // 7 octal digits
    private const long MaxOctal11 = TarBlocks.MaxOctal11;

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
            await EnsureSpaceAsync(BlockSize, cancellationToken).ConfigureAwait(false);
            TarBlocks.FormatPaxHeader(_buffer.AsSpan(_used, BlockSize), header.Name, records.Length);
            _used += BlockSize;
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

        return records is null ? null : TarBlocks.EncodeRecords(records);
    }

    private static bool FitsUstar(string text, int width) => text.Length <= width && Ascii.IsValid(text);

    private static void FormatUstarHeader(Span<byte> block, TarEntryHeader header, long size)
    {
        block.Clear();
        TarBlocks.WriteText(block[..100], header.Name);
        TarBlocks.WriteOctal(block.Slice(100, 8), (long)header.Mode & 0xFFF);
        TarBlocks.WriteOctal(block.Slice(108, 8), header.Uid is < 0 or > MaxOctal7 ? 0 : header.Uid);
        TarBlocks.WriteOctal(block.Slice(116, 8), header.Gid is < 0 or > MaxOctal7 ? 0 : header.Gid);
        TarBlocks.WriteOctal(block.Slice(124, 12), size > MaxOctal11 ? 0 : size);
        var seconds = header.ModificationTime.Seconds;
        TarBlocks.WriteOctal(block.Slice(136, 12), seconds is < 0 or > MaxOctal11 ? 0 : seconds);
        block[156] = (byte)header.Type;
        TarBlocks.WriteText(block.Slice(157, 100), header.LinkName);
        "ustar\0"u8.CopyTo(block[257..]);
        "00"u8.CopyTo(block[263..]);
        if (header.Type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice)
        {
            TarBlocks.WriteOctal(block.Slice(329, 8), header.DeviceMajor);
            TarBlocks.WriteOctal(block.Slice(337, 8), header.DeviceMinor);
        }

        TarBlocks.WriteChecksum(block);
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
