using System.IO.Compression;
using Drydock.Oci;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Drydock.Layers;

/// <summary>The one place that maps a <see cref="LayerCompression"/> to a (de)compressing stream.</summary>
public static class LayerCompressionStreams
{
    /// <summary>The gzip level used unless a caller picks another (zlib's default trade-off).</summary>
    public const int DefaultGzipLevel = 6;

    /// <summary>The zstd level used unless a caller picks another (zstd's own default).</summary>
    public const int DefaultZstdLevel = 3;

    // Levels past 19 ("ultra") need windows of up to 128 MiB per stream, and decompressors refuse
    // windows above 128 MiB by default: 19 keeps layers readable everywhere and memory bounded.
    private const int MaxZstdLevel = 19;

    // Negative zstd levels trade ratio for speed; below this they barely compress.
    private const int MinZstdLevel = -7;

    /// <summary>A stream that reads the uncompressed tar out of a layer blob.</summary>
    public static Stream OpenDecompressing(Stream blob, LayerCompression compression, bool leaveOpen) => compression switch
    {
        LayerCompression.None => leaveOpen ? new NonClosingStream(blob) : blob,
        LayerCompression.Gzip => new GZipStream(blob, CompressionMode.Decompress, leaveOpen),

        // checkEndOfStream: a blob cut inside a frame is an error, not a shorter tar.
        LayerCompression.Zstd => new DecompressionStream(blob, bufferSize: 0, checkEndOfStream: true, leaveOpen: leaveOpen),
        _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, "Unknown layer compression."),
    };

    /// <summary>The level a compression uses when <paramref name="level"/> is null; checks a given one.</summary>
    public static int LevelFor(LayerCompression compression, int? level)
    {
        var (min, max, fallback) = compression switch
        {
            LayerCompression.Gzip => (0, 9, DefaultGzipLevel),
            LayerCompression.Zstd => (MinZstdLevel, MaxZstdLevel, DefaultZstdLevel),
            _ => (0, 0, 0),
        };
        if (level is { } chosen && (chosen < min || chosen > max))
        {
            throw new ArgumentOutOfRangeException(
                nameof(level), chosen, compression == LayerCompression.None
                    ? "Uncompressed layers take no compression level."
                    : $"The {compression.ToString().ToLowerInvariant()} level must be {min} to {max}.");
        }

        return level ?? fallback;
    }

    /// <summary>
    /// A stream that compresses what is written into <paramref name="destination"/>; dispose it to
    /// finish the blob. <paramref name="level"/> null means the compression's default.
    /// </summary>
    public static Stream OpenCompressing(Stream destination, LayerCompression compression, int? level, bool leaveOpen)
    {
        var chosen = LevelFor(compression, level);
        switch (compression)
        {
            case LayerCompression.None:
                return leaveOpen ? new NonClosingStream(destination) : destination;
            case LayerCompression.Gzip:
                // One algorithm on every machine, one core or many: its bytes do not depend on
                // the worker count, so neither do layer digests.
                return new ParallelGzipStream(destination, chosen, leaveOpen, Environment.ProcessorCount);
            case LayerCompression.Zstd:
                var zstd = new CompressionStream(destination, chosen, bufferSize: 0, leaveOpen: leaveOpen);

                // A checksum per frame lets any reader detect corruption, as the zstd CLI does by default.
                zstd.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, 1);

                // Worker threads roughly halve the time on two cores. zstd's output is the same for
                // any count of one or more workers (only 0 differs), so digests do not depend on
                // the machine's core count.
                zstd.SetParameter(ZSTD_cParameter.ZSTD_c_nbWorkers, Math.Max(1, Environment.ProcessorCount));
                return zstd;
            default:
                throw new ArgumentOutOfRangeException(nameof(compression), compression, "Unknown layer compression.");
        }
    }

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
