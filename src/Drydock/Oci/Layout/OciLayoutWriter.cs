using System.Text;

namespace Drydock.Oci.Layout;

/// <summary>
/// Writes an image, or a multi-platform index with its images, into an OCI image layout directory
/// (oci-layout, index.json, blobs/). An existing
/// layout is extended: blobs already present are kept and an index entry with the same ref name
/// is replaced, so several builds can share one layout.
/// </summary>
public static class OciLayoutWriter
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    private static readonly byte[] LayoutMarker = Encoding.UTF8.GetBytes("{\"imageLayoutVersion\":\"1.0.0\"}");

    public static async Task WriteAsync(IImage image, string directory, string? refName, CancellationToken cancellationToken)
    {
        var blobs = await OpenAsync(directory, cancellationToken).ConfigureAwait(false);
        await blobs.WriteImageAsync(image, cancellationToken).ConfigureAwait(false);
        await SetEntryAsync(directory, ImageDescriptor.Of(image), refName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes every image of a multi-platform index, then the index itself as the layout's entry.</summary>
    public static async Task WriteIndexAsync(PlatformIndex index, string directory, string? refName, CancellationToken cancellationToken)
    {
        var blobs = await OpenAsync(directory, cancellationToken).ConfigureAwait(false);
        foreach (var image in index.Images)
        {
            await blobs.WriteImageAsync(image, cancellationToken).ConfigureAwait(false);
        }

        await blobs.WriteBytesAsync(index.Digest, index.RawIndex, cancellationToken).ConfigureAwait(false);
        var entry = new Descriptor { MediaType = index.MediaType, Digest = index.Digest, Size = index.RawIndex.Length };
        await SetEntryAsync(directory, entry, refName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes <paramref name="directory"/> an OCI image layout (if it is not one yet) and returns its blobs.</summary>
    public static async Task<BlobDirectory> OpenAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var marker = Path.Combine(directory, "oci-layout");
        if (!File.Exists(marker))
        {
            await BlobDirectory.WriteAtomicallyAsync(marker, (target, token) => target.WriteAsync(LayoutMarker, token).AsTask(), cancellationToken).ConfigureAwait(false);
        }

        return new BlobDirectory(Path.Combine(directory, "blobs"));
    }

    /// <summary>Lists the entry in index.json, in place of one with the same ref name (or, unnamed, the same digest).</summary>
    private static async Task SetEntryAsync(string directory, Descriptor entry, string? refName, CancellationToken cancellationToken)
    {
        var indexPath = Path.Combine(directory, "index.json");
        if (refName is not null)
        {
            entry = entry with { Annotations = new Dictionary<string, string> { [RefNameAnnotation] = refName } };
        }

        // Read, changed and replaced under the lock; replaced whole, so a reader never sees half of it.
        using (await LayoutIndexLock.AcquireAsync(directory, cancellationToken).ConfigureAwait(false))
        {
            var existing = File.Exists(indexPath)
                ? OciJson.ReadIndex(await File.ReadAllBytesAsync(indexPath, cancellationToken).ConfigureAwait(false)).Manifests
                : [];
            var manifests = existing
                .Where(m => refName is null ? m.Digest != entry.Digest : m.Annotations?.GetValueOrDefault(RefNameAnnotation) != refName)
                .Append(entry)
                .ToArray();
            var bytes = OciJson.Serialize(new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = manifests });
            await BlobDirectory.WriteAtomicallyAsync(indexPath, (target, token) => target.WriteAsync(bytes, token).AsTask(), cancellationToken).ConfigureAwait(false);
        }
    }
}
