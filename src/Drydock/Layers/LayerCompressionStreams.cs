using System.IO.Compression;
using Drydock.Oci;

namespace Drydock.Layers;

/// <summary>The one place that maps a <see cref="LayerCompression"/> to a (de)compressing stream.</summary>
public static class LayerCompressionStreams
{
    /// <summary>The gzip level used unless a caller picks another (zlib's default trade-off).</summary>
    public const int DefaultGzipLevel = 6;

    /// <summary>A stream that reads the uncompressed tar out of a layer blob.</summary>
    public static Stream OpenDecompressing(Stream blob, LayerCompression compression, bool leaveOpen) => compression switch
    {
        LayerCompression.None => leaveOpen ? new NonClosingStream(blob) : blob,
        LayerCompression.Gzip => new GZipStream(blob, CompressionMode.Decompress, leaveOpen),
        LayerCompression.Zstd => throw ZstdNotSupported(),
        _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, "Unknown layer compression."),
    };

    /// <summary>A stream that compresses what is written into <paramref name="destination"/>; dispose it to finish the blob.</summary>
    public static Stream OpenCompressing(Stream destination, LayerCompression compression, int gzipLevel, bool leaveOpen)
    {
        switch (compression)
        {
            case LayerCompression.None:
                return leaveOpen ? new NonClosingStream(destination) : destination;
            case LayerCompression.Gzip:
                if (gzipLevel is < 0 or > 9)
                {
                    throw new ArgumentOutOfRangeException(nameof(gzipLevel), gzipLevel, "The gzip level must be 0 to 9.");
                }

                return new GZipStream(destination, new ZLibCompressionOptions { CompressionLevel = gzipLevel }, leaveOpen);
            case LayerCompression.Zstd:
                throw ZstdNotSupported();
            default:
                throw new ArgumentOutOfRangeException(nameof(compression), compression, "Unknown layer compression.");
        }
    }

    // zstd needs the ZstdSharp.Port package, which is not referenced yet.
    private static NotSupportedException ZstdNotSupported() =>
        new("zstd-compressed layers are not supported yet; use gzip or uncompressed layers.");

    /// <summary>Keeps the caller's stream open when the (de)compressor standing in for it is disposed.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer) => buffer.IsEmpty ? 0 : inner.Read(buffer);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            buffer.IsEmpty ? ValueTask.FromResult(0) : inner.ReadAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.WriteAsync(buffer, offset, count, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(buffer, cancellationToken);

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
