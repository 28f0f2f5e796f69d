using Drydock.Layers;
using Drydock.Native;
using Drydock.Oci;

namespace Drydock.Building.Steps;

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
    /// archive (a compressed stream that cannot be read counts as none, as in Docker).
    /// </summary>
    public static async Task<ArchiveCompression?> DetectAsync(string path, CancellationToken cancellationToken)
    {
        var file = OpenRead(path);
        await using (file.ConfigureAwait(false))
        {
            var magic = new byte[ArchiveStreams.MagicLength];
            var length = await file.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            var compression = ArchiveStreams.CompressionOf(magic.AsSpan(0, length));
            file.Position = 0;
            var header = new byte[BlockSize];
            try
            {
                var content = ArchiveStreams.OpenDecompressing(file, compression);
                await using (content.ConfigureAwait(false))
                {
                    length = await content.ReadAtLeastAsync(header, BlockSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or InvalidOperationException)
            {
                // A broken compressed stream is no archive; Docker adds such a file as it is.
                return null;
            }

            return length == BlockSize && IsTarHeader(header) ? compression : null;
        }
    }

    /// <summary>
    /// Unpacks the archive into <paramref name="hostDirectory"/> (an existing directory, the root
    /// of everything the archive names, as Docker's chrooted untar treats it). Entries keep the
    /// owners, modes and times the archive gives them; the directory itself keeps its own. An
    /// archive is no layer: <c>.wh.</c> names are files that delete nothing.
    /// </summary>
    public static async Task ExtractAsync(string archive, ArchiveCompression compression, string hostDirectory, IBuildLog log, CancellationToken cancellationToken)
    {
        // Docker skips an archive's "." entry; the extractor would apply it to the directory.
        var before = NativeFiles.Lstat(hostDirectory);
        var file = OpenRead(archive);
        await using (file.ConfigureAwait(false))
        {
            var tar = ArchiveStreams.OpenDecompressing(file, compression);
            await using (tar.ConfigureAwait(false))
            {
                var options = LayerExtractOptions.Default with { Warn = log.Warn, ApplyWhiteouts = false };
                await LayerExtractor.ExtractAsync(tar, LayerCompression.None, hostDirectory, options, cancellationToken).ConfigureAwait(false);
            }
        }

        NativeFiles.Lchown(hostDirectory, before.Uid, before.Gid);
        NativeFiles.Chmod(hostDirectory, before.Permissions);
    }

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
