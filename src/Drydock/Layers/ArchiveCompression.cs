using Drydock.Oci;
using SharpCompress.Common;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.Xz;

namespace Drydock.Layers;

/// <summary>How a tar archive is compressed, as its first bytes tell (never its name).</summary>
public enum ArchiveCompression
{
    None,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

/// <summary>
/// Reads the archives users hand in (ADD sources, build contexts), which unlike layers may use
/// any compression Docker recognises: gzip and zstd as layers are read, bzip2 and xz through
/// SharpCompress.
/// </summary>
public static class ArchiveStreams
{
    /// <summary>How many leading bytes <see cref="CompressionOf"/> needs.</summary>
    public const int MagicLength = 6;

    /// <summary>The compression Docker recognises by magic number (pkg/archive DetectCompression).</summary>
    public static ArchiveCompression CompressionOf(ReadOnlySpan<byte> start) => start switch
    {
        [0x1F, 0x8B, 0x08, ..] => ArchiveCompression.Gzip,
        [0x42, 0x5A, 0x68, ..] => ArchiveCompression.Bzip2,
        [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, ..] => ArchiveCompression.Xz,
        [0x28, 0xB5, 0x2F, 0xFD, ..] => ArchiveCompression.Zstd,
        _ => ArchiveCompression.None,
    };

    /// <summary>
    /// A stream of the uncompressed tar; disposing it leaves <paramref name="archive"/> open. Corrupt
    /// compressed data is reported as <see cref="InvalidDataException"/>, whichever library read it.
    /// </summary>
    /// <exception cref="InvalidDataException">The compressed stream's header is malformed.</exception>
    public static Stream OpenDecompressing(Stream archive, ArchiveCompression compression)
    {
        ArgumentNullException.ThrowIfNull(archive);
        try
        {
            var stream = Open(archive, compression);
            return compression is ArchiveCompression.Bzip2 or ArchiveCompression.Xz ? new SharpCompressErrors(stream) : stream;
        }
        catch (SharpCompressException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    private static Stream Open(Stream archive, ArchiveCompression compression) =>
        compression switch
        {
            ArchiveCompression.None => LayerCompressionStreams.OpenDecompressing(archive, LayerCompression.None, leaveOpen: true),
            ArchiveCompression.Gzip => LayerCompressionStreams.OpenDecompressing(archive, LayerCompression.Gzip, leaveOpen: true),
            ArchiveCompression.Zstd => LayerCompressionStreams.OpenDecompressing(archive, LayerCompression.Zstd, leaveOpen: true),

            // Concatenated streams as bzip2 -d reads them (pbzip2 writes those); a cut stream is an error.
            ArchiveCompression.Bzip2 => BZip2Stream.Create(
                archive, SharpCompress.Compressors.CompressionMode.Decompress, decompressConcatenated: true, leaveOpen: true, tolerateTruncatedStream: false),

            // XZStream owns no handle of the archive's: it reads it and leaves it open.
            ArchiveCompression.Xz => new XZStream(archive),
            _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, "Unknown archive compression."),
        };

    /// <summary>Turns SharpCompress's own exceptions into the BCL's for corrupt data.</summary>
    private sealed class SharpCompressErrors(Stream inner) : Foundation.Streams.ReadOnlyStream
    {
        public override int Read(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (SharpCompressException e)
            {
                throw new InvalidDataException(e.Message, e);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (SharpCompressException e)
            {
                throw new InvalidDataException(e.Message, e);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
