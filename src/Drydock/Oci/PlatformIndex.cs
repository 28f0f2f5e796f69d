namespace Drydock.Oci;

/// <summary>
/// An index over images built for several platforms: each entry names its manifest and the platform
/// the image's config declares. Its bytes and digest are made once, here, so every output agrees.
/// </summary>
public sealed class PlatformIndex
{
    private PlatformIndex(IReadOnlyList<IImage> images, ImageIndex index, byte[] rawIndex)
    {
        Images = images;
        Index = index;
        RawIndex = rawIndex;
        Digest = Digest.Sha256(rawIndex);
    }

    /// <summary>The images, in the order the index lists them.</summary>
    public IReadOnlyList<IImage> Images { get; }

    public ImageIndex Index { get; }

    public ReadOnlyMemory<byte> RawIndex { get; }

    /// <summary>An OCI image index, or a Docker manifest list when every manifest uses Docker's media types.</summary>
    public string MediaType => Index.MediaType!;

    public Digest Digest { get; }

    public static PlatformIndex Create(IReadOnlyList<IImage> images)
    {
        ArgumentOutOfRangeException.ThrowIfZero(images.Count);

        // A Docker manifest list may only list Docker manifests; one OCI manifest makes it an OCI index.
        var mediaType = images.All(i => i.MediaType == MediaTypes.DockerManifest) ? MediaTypes.DockerManifestList : MediaTypes.OciIndex;
        var index = new ImageIndex
        {
            MediaType = mediaType,
            Manifests = images.Select(i => ImageDescriptor.Of(i) with { Platform = PlatformOf(i.Config) }).ToArray(),
        };
        return new PlatformIndex(images, index, OciJson.Serialize(index));
    }

    private static PlatformSpec PlatformOf(ImageConfig config) => new()
    {
        Os = config.Os,
        Architecture = config.Architecture,
        Variant = string.IsNullOrEmpty(config.Variant) ? null : config.Variant,
    };
}
