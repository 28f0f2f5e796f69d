using Drydock.Layers;

namespace Drydock.Context;

/// <summary>
/// Unpacks a context that arrives as a tar archive (a local file, standard input, a download),
/// plain or compressed with anything Docker recognises, told by content. The layer extractor
/// does the work with its containment: no entry, symlink or hardlink reaches outside the
/// directory (names that climb out are clamped in with a warning). A context is files and
/// links only: a device node, or an entry larger than the disk's free space, ends the build;
/// <c>.wh.</c> names are files like any other (no layer, no whiteouts).
/// </summary>
internal static class ContextArchive
{
    /// <exception cref="BuildContextException">The archive is corrupt, truncated, or holds what a context may not.</exception>
    public static async Task ExtractAsync(string archive, string shown, string directory, Action<string>? warn, CancellationToken cancellationToken)
    {
        if (new FileInfo(archive).Length == 0)
        {
            throw new BuildContextException($"build context {shown} is empty: give it a tar archive");
        }

        Directory.CreateDirectory(directory);
        var options = LayerExtractOptions.Default with
        {
            Warn = warn,

            // As docker sends a context: everything belongs to root, the extracting user here.
            PreserveOwnership = false,
            CreateDeviceNodes = false,
            RefuseDeviceNodes = true,
            ApplyXattrs = false,
            ApplyWhiteouts = false,
            MaxEntrySize = new DriveInfo(directory).AvailableFreeSpace,
        };
        try
        {
            var file = new FileStream(archive, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 128 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (file.ConfigureAwait(false))
            {
                var magic = new byte[ArchiveStreams.MagicLength];
                var length = await file.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                file.Position = 0;
                var tar = ArchiveStreams.OpenDecompressing(file, ArchiveStreams.CompressionOf(magic.AsSpan(0, length)));
                await using (tar.ConfigureAwait(false))
                {
                    await LayerExtractor.ExtractAsync(tar, Oci.LayerCompression.None, directory, options, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (EndOfStreamException e)
        {
            // The tar reader's own words ("Unable to read beyond the end of the stream") say less.
            throw new BuildContextException($"build context {shown} cannot be unpacked as a tar archive: it ends before its end-of-archive blocks, so it is truncated", e);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException or BuildContextException))
        {
            // Corrupt compressed data, a malformed header, a refused entry, a write that failed.
            throw new BuildContextException($"build context {shown} cannot be unpacked as a tar archive: {e.Message.TrimEnd('.')}", e);
        }
    }
}
