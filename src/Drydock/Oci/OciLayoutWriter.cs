using System.Text;

namespace Drydock.Oci;

/// <summary>
/// Writes an image into an OCI image layout directory (oci-layout, index.json, blobs/). An existing
/// layout is extended: blobs already present are kept and an index entry with the same ref name
/// is replaced, so several builds can share one layout.
/// </summary>
public static class OciLayoutWriter
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    private static readonly byte[] LayoutMarker = Encoding.UTF8.GetBytes("{\"imageLayoutVersion\":\"1.0.0\"}");

    public static async Task WriteAsync(IImage image, string directory, string? refName, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllBytesAsync(Path.Combine(directory, "oci-layout"), LayoutMarker, cancellationToken).ConfigureAwait(false);
        var blobs = new BlobDirectory(Path.Combine(directory, "blobs"));
        await blobs.WriteImageAsync(image, cancellationToken).ConfigureAwait(false);

        var indexPath = Path.Combine(directory, "index.json");
        var existing = File.Exists(indexPath)
            ? OciJson.ReadIndex(await File.ReadAllBytesAsync(indexPath, cancellationToken).ConfigureAwait(false)).Manifests
            : [];
        var entry = ManifestDescriptor(image, refName is null ? null : new Dictionary<string, string> { [RefNameAnnotation] = refName });
        var manifests = existing
            .Where(m => refName is null ? m.Digest != entry.Digest : m.Annotations?.GetValueOrDefault(RefNameAnnotation) != refName)
            .Append(entry)
            .ToArray();
        var index = new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = manifests };
        await File.WriteAllBytesAsync(indexPath, OciJson.Serialize(index), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The descriptor of an image's manifest, as an index lists it.</summary>
    public static Descriptor ManifestDescriptor(IImage image, IReadOnlyDictionary<string, string>? annotations = null) => new()
    {
        MediaType = image.MediaType,
        Digest = image.ManifestDigest,
        Size = image.RawManifest.Length,
        Annotations = annotations,
    };
}
