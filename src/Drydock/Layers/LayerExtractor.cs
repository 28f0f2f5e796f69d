using System.Formats.Tar;
using Drydock.Foundation.Paths;
using Drydock.Native;
using Drydock.Oci;

namespace Drydock.Layers;

/// <summary>
/// Applies a layer blob to a root file system, streaming (nothing is buffered whole), and never
/// reading, writing or linking anything outside the root: every entry is placed by resolving its
/// parent inside the root (symlinks followed as if the root were "/"), never through its own name.
/// </summary>
public static class LayerExtractor
{
    public static Task<LayerExtractResult> ExtractAsync(
        Stream blob, LayerCompression compression, string rootfs, CancellationToken cancellationToken) =>
        ExtractAsync(blob, compression, rootfs, LayerExtractOptions.Default, cancellationToken);

    /// <summary>
    /// Extracts <paramref name="blob"/> into <paramref name="rootfs"/>, applying whiteouts and opaque
    /// directories to what earlier layers left there. The blob is read to its end, so a
    /// <see cref="VerifyingStream"/> given here checks its digest; the result carries the diffID
    /// of the tar for checking against the image config.
    /// </summary>
    public static async Task<LayerExtractResult> ExtractAsync(
        Stream blob, LayerCompression compression, string rootfs, LayerExtractOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(options);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Layers are extracted with Linux file semantics (owners, modes, device nodes).");
        }

        var root = ImagePaths.FullRoot(rootfs);
        if (!NativeFiles.TryLstat(root, out var rootStatus) || rootStatus.Kind != FileKind.Directory)
        {
            throw new DirectoryNotFoundException($"The root file system '{root}' is not a directory.");
        }

        var tar = LayerCompressionStreams.OpenDecompressing(blob, compression, leaveOpen: true);
        await using (tar.ConfigureAwait(false))
        {
            using var hashing = new HashingReadStream(tar, leaveOpen: true);
            // The diffID is of the tar as stored; the reader sees old sparse encodings rewritten.
            var observer = new PaxXattrObserver(new LegacySparseRewriter(hashing));
            var applier = new LayerEntryApplier(root, options, observer);
            var reader = new TarReader(observer, leaveOpen: true);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    await applier.ApplyAsync(entry, cancellationToken).ConfigureAwait(false);
                }
            }

            applier.Finish();

            // The diffID covers the whole tar, including the zero blocks after the last entry.
            await hashing.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            var diffId = hashing.GetDigest();
            await blob.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            return new LayerExtractResult(diffId, applier.Entries, applier.Warnings);
        }
    }
}
