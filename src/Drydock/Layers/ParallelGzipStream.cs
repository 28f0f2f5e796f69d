using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Drydock.Layers;

/// <summary>
/// pigz-style gzip: the input is cut into fixed blocks, each deflated on its own on the thread
/// pool and ended with a sync flush, so the blocks, written in order, make one deflate stream; one
/// gzip header goes before them and the CRC-32 and length of the whole input after. The bytes
/// depend only on the input, the level and the runtime's zlib, never on the worker count, so a
/// layer has the same digest on any machine.
/// </summary>
/// <remarks>
/// pigz primes each block with the last 32 KiB of the one before; System.IO.Compression has no
/// way to set a deflate dictionary (its native library exports no deflateSetDictionary), so
/// blocks start cold. Blocks of 1 MiB keep that loss to a fraction of a percent.
/// </remarks>
internal sealed class ParallelGzipStream : Stream
{
    /// <summary>The size of the input blocks: fixed, since the output depends on it.</summary>
    internal const int BlockSize = 1 << 20;

    // Each in-flight block holds an input and an output buffer of about BlockSize; this caps what
    // a many-core machine holds at once.
    private const int MaxWorkers = 32;

    // A sync flush ends every block with an empty stored block, whose last four bytes are these.
    private static readonly byte[] SyncFlushMarker = [0x00, 0x00, 0xFF, 0xFF];

    private readonly Stream _destination;
    private readonly int _level;
    private readonly bool _leaveOpen;
    private readonly int _workers;
    private readonly Queue<Task<CompressedBlock>> _inFlight = new();
    private byte[]? _block;
    private int _filled;
    private uint _crc;
    private long _length;
    private bool _headerWritten;
    private bool _disposed;

    /// <param name="workers">Blocks compressed at once; 1 compresses on the writing thread.</param>
    public ParallelGzipStream(Stream destination, int level, bool leaveOpen, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _destination = destination;
        _level = level;
        _leaveOpen = leaveOpen;
        _workers = Math.Min(workers, MaxWorkers);
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_disposed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    // Twice the workers: each worker has a block queued behind the one it is on while the
    // writing thread waits for the oldest.
    private int MaxInFlight => _workers == 1 ? 1 : 2 * _workers;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _crc = Crc32.Append(_crc, buffer);
        _length += buffer.Length;
        while (!buffer.IsEmpty)
        {
            var taken = Fill(buffer);
            buffer = buffer[taken..];
            if (_filled == BlockSize)
            {
                if (_inFlight.Count == MaxInFlight)
                {
                    WriteOldest();
                }

                Submit();
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _crc = Crc32.Append(_crc, buffer.Span);
        _length += buffer.Length;
        while (!buffer.IsEmpty)
        {
            var taken = Fill(buffer.Span);
            buffer = buffer[taken..];
            if (_filled == BlockSize)
            {
                if (_inFlight.Count == MaxInFlight)
                {
                    await WriteOldestAsync(cancellationToken).ConfigureAwait(false);
                }

                Submit();
            }
        }
    }

    // Blocks are cut at fixed offsets only, so when a caller flushes cannot change the bytes.
    public override void Flush() => _destination.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _destination.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (!disposing || _disposed)
        {
            base.Dispose(disposing);
            return;
        }

        _disposed = true;
        try
        {
            Finish();
        }
        finally
        {
            Release();
            if (!_leaveOpen)
            {
                _destination.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private int Fill(ReadOnlySpan<byte> data)
    {
        _block ??= ArrayPool<byte>.Shared.Rent(BlockSize);
        var taken = Math.Min(data.Length, BlockSize - _filled);
        data[..taken].CopyTo(_block.AsSpan(_filled));
        _filled += taken;
        return taken;
    }

    private void Submit()
    {
        var block = _block!;
        var length = _filled;
        var level = _level;
        _block = null;
        _filled = 0;
        _inFlight.Enqueue(_workers == 1
            ? Task.FromResult(Compress(block, length, level))
            : Task.Run(() => Compress(block, length, level)));
    }

    private void WriteOldest()
    {
        var compressed = _inFlight.Dequeue().GetAwaiter().GetResult();
        try
        {
            WriteHeaderOnce();
            _destination.Write(compressed.Span);
        }
        finally
        {
            compressed.Return();
        }
    }

    private async ValueTask WriteOldestAsync(CancellationToken cancellationToken)
    {
        var compressed = await _inFlight.Dequeue().ConfigureAwait(false);
        try
        {
            if (!_headerWritten)
            {
                _headerWritten = true;
                await _destination.WriteAsync(Header(_level), cancellationToken).ConfigureAwait(false);
            }

            await _destination.WriteAsync(compressed.Memory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            compressed.Return();
        }
    }

    private void WriteHeaderOnce()
    {
        if (!_headerWritten)
        {
            _headerWritten = true;
            _destination.Write(Header(_level));
        }
    }

    private void Finish()
    {
        if (_filled > 0)
        {
            Submit();
        }

        while (_inFlight.Count > 0)
        {
            WriteOldest();
        }

        WriteHeaderOnce();
        Span<byte> trailer = stackalloc byte[10];

        // The last deflate block: BFINAL set, fixed codes, nothing but end-of-block. The blocks
        // before it all ended on a byte boundary (sync flush), so it can simply follow them.
        trailer[0] = 0x03;
        trailer[1] = 0x00;
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[2..], _crc);

        // ISIZE: the input length modulo 2^32, as RFC 1952 says.
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[6..], unchecked((uint)_length));
        _destination.Write(trailer);
    }

    // After a failure, blocks still in flight finish on their own; their buffers go back to the
    // pool and their errors are already on their way out through the first failure.
    private void Release()
    {
        while (_inFlight.TryDequeue(out var task))
        {
            try
            {
                task.GetAwaiter().GetResult().Return();
            }
            catch (Exception)
            {
                // Only the first failure is reported; this block's buffers went with its task.
            }
        }

        if (_block is { } block)
        {
            _block = null;
            ArrayPool<byte>.Shared.Return(block);
        }
    }

    private static byte[] Header(int level) =>
    [
        0x1F, 0x8B, // magic
        0x08,       // deflate
        0x00,       // no flags: no name, comment or extra field
        0x00, 0x00, 0x00, 0x00, // no mtime: the same input gives the same bytes whenever

        // XFL as zlib sets it: 2 for the slowest level, 4 for the fastest ones.
        level == 9 ? (byte)2 : level < 2 ? (byte)4 : (byte)0,
        0x03,       // OS: Unix, fixed so the bytes do not depend on the machine
    ];

    private static CompressedBlock Compress(byte[] input, int length, int level)
    {
        // Deflate adds at most 5 bytes per 16 KiB stored block, plus the flush marker.
        var output = new BlockOutput(length + (length >> 8) + 64);
        try
        {
            using (var deflate = new DeflateStream(output, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
            {
                deflate.Write(input, 0, length);

                // DeflateStream.Flush is a Z_SYNC_FLUSH: the block ends byte-aligned and not final.
                deflate.Flush();

                // Disposing finishes the stream with a final block; only the last block may carry
                // one, and Finish writes that itself.
                output.Seal();
            }

            // A future runtime flushing differently would make the blocks not concatenate; a
            // broken layer must not be the first sign of it.
            if (!output.Span.EndsWith(SyncFlushMarker))
            {
                throw new InvalidOperationException("DeflateStream.Flush did not end the block with a sync flush.");
            }

            return output.Detach();
        }
        catch
        {
            output.Return();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
        }
    }

    /// <summary>A compressed block in a pooled buffer; return it once written.</summary>
    private readonly record struct CompressedBlock(byte[] Buffer, int Length)
    {
        public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Length);

        public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, Length);

        public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
    }

    /// <summary>Collects one block's deflate output in a pooled buffer that grows if it must.</summary>
    private sealed class BlockOutput(int capacity) : Stream
    {
        private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(capacity);
        private int _length;
        private bool _sealed;

        public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        /// <summary>Drops all later writes.</summary>
        public void Seal() => _sealed = true;

        public CompressedBlock Detach()
        {
            var block = new CompressedBlock(_buffer!, _length);
            _buffer = null;
            return block;
        }

        public void Return()
        {
            if (_buffer is { } buffer)
            {
                _buffer = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_sealed)
            {
                return;
            }

            if (_length + buffer.Length > _buffer!.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_length + buffer.Length, 2 * _buffer.Length));
                Span.CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }

            buffer.CopyTo(_buffer.AsSpan(_length));
            _length += buffer.Length;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
