namespace Drydock.Oci;

/// <summary>How an index (a multi-platform index, an OCI layout's index.json) lists an image.</summary>
public static class ImageDescriptor
{
    /// <summary>The descriptor of an image's manifest.</summary>
    public static Descriptor Of(IImage image, IReadOnlyDictionary<string, string>? annotations = null) => new()
    {
        MediaType = image.MediaType,
        Digest = image.ManifestDigest,
        Size = image.RawManifest.Length,
        Annotations = annotations,
    };
}
