using System.IO.Compression;
using Drydock.Layers;
using Drydock.Native;
using Drydock.Oci;

namespace Drydock.Building.Steps;

/// <summary>How a file is compressed, as its first bytes tell (never its name).</summary>
internal enum ArchiveCompression
{
    None,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

/// <summary>
/// The tar archives ADD unpacks, found the way Docker finds them (pkg/archive's isArchivePath):
/// the content, decompressed if its magic number says so, must start with a valid tar header.
/// Anything else, an empty archive included, is added as a plain file.
/// </summary>
internal static class AddArchive
{
    private const int BlockSize = 512;
    private const int ChecksumOffset = 148;
    private const int ChecksumLength = 8;

    /// <summary>
    /// The compression of the tar archive at <paramref name="path"/>, or null when it is no tar
    /// archive. For bzip2, xz and zstd, which the BCL cannot decompress, the content is not
    /// checked: the caller cannot unpack them either way.
    /// </summary>
    public static async Task<ArchiveCompression?> DetectAsync(string path, CancellationToken cancellationToken)
    {
        var file = OpenRead(path);
        await using (file.ConfigureAwait(false))
        {
            var magic = new byte[6];
            var length = await file.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            var compression = CompressionOf(magic.AsSpan(0, length));
            if (compression is not (ArchiveCompression.None or ArchiveCompression.Gzip))
            {
                return compression;
            }

            file.Position = 0;
            Stream content = compression == ArchiveCompression.Gzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : file;
            var header = new byte[BlockSize];
            try
            {
                length = await content.ReadAtLeastAsync(header, BlockSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException)
            {
                // A broken gzip stream is no archive; Docker adds such a file as it is.
                return null;
            }
            finally
            {
                if (!ReferenceEquals(content, file))
                {
                    await content.DisposeAsync().ConfigureAwait(false);
                }
            }

            return length == BlockSize && IsTarHeader(header) ? compression : null;
        }
    }

    /// <summary>
    /// Unpacks the archive into <paramref name="hostDirectory"/> (an existing directory, the root
    /// of everything the archive names, as Docker's chrooted untar treats it). Entries keep the
    /// owners, modes and times the archive gives them; the directory itself keeps its own.
    /// </summary>
    public static async Task ExtractAsync(string archive, ArchiveCompression compression, string hostDirectory, IBuildLog log, CancellationToken cancellationToken)
    {
        // Docker skips an archive's "." entry; the extractor would apply it to the directory.
        var before = NativeFiles.Lstat(hostDirectory);
        var file = OpenRead(archive);
        await using (file.ConfigureAwait(false))
        {
            var layerCompression = compression == ArchiveCompression.Gzip ? LayerCompression.Gzip : LayerCompression.None;
            var options = LayerExtractOptions.Default with { Warn = log.Warn };
            await LayerExtractor.ExtractAsync(file, layerCompression, hostDirectory, options, cancellationToken).ConfigureAwait(false);
        }

        NativeFiles.Lchown(hostDirectory, before.Uid, before.Gid);
        NativeFiles.Chmod(hostDirectory, before.Permissions);
    }

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
    /// Whether a 512-byte block is a tar header as Go's archive/tar accepts one: not all zeros,
    /// and its checksum field (octal, padded with spaces or NULs) equal to the sum of the block's
    /// bytes, counted unsigned or signed, with the checksum field read as spaces.
    /// </summary>
    public static bool IsTarHeader(ReadOnlySpan<byte> block)
    {
        if (block.Length != BlockSize || !block.ContainsAnyExcept((byte)0))
        {
            return false;
        }

        var field = block.Slice(ChecksumOffset, ChecksumLength).Trim(" \0"u8);
        long stored = 0;
        foreach (var digit in field)
        {
            if (digit is < (byte)'0' or > (byte)'7')
            {
                return false;
            }

            stored = (stored * 8) + (digit - '0');
        }

        long unsigned = 0;
        long signed = 0;
        for (var i = 0; i < BlockSize; i++)
        {
            var value = i is >= ChecksumOffset and < ChecksumOffset + ChecksumLength ? (byte)' ' : block[i];
            unsigned += value;
            signed += (sbyte)value;
        }

        return stored == unsigned || stored == signed;
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 128 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
}
