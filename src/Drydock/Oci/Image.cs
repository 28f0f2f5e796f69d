namespace Drydock.Oci;

/// <summary>
/// An image assembled from a config and layers (its manifest and config bytes are made here), or
/// read from storage with its bytes as stored.
/// </summary>
public sealed class Image : IImage
{
    private Image(Manifest manifest, byte[] rawManifest, string mediaType, ImageConfig config, byte[] rawConfig, IReadOnlyList<ILayer> layers)
    {
        Manifest = manifest;
        RawManifest = rawManifest;
        MediaType = mediaType;
        ManifestDigest = Digest.Sha256(rawManifest);
        Config = config;
        RawConfig = rawConfig;
        Layers = layers;
    }

    public Manifest Manifest { get; }

    public ReadOnlyMemory<byte> RawManifest { get; }

    public string MediaType { get; }

    public Digest ManifestDigest { get; }

    public ImageConfig Config { get; }

    public ReadOnlyMemory<byte> RawConfig { get; }

    public IReadOnlyList<ILayer> Layers { get; }

    /// <summary>
    /// An image read from storage (an OCI layout, a docker archive): its manifest and config bytes
    /// are kept as they were read, so its digest is the one they were stored under.
    /// </summary>
    public static Image FromStored(Manifest manifest, byte[] rawManifest, string mediaType, ImageConfig config, byte[] rawConfig, IReadOnlyList<ILayer> layers) =>
        new(manifest, rawManifest, mediaType, config, rawConfig, layers);

    /// <summary>
    /// Makes the image. The config's rootfs.diff_ids are set from the layers, so they always agree.
    /// <paramref name="dockerMediaTypes"/> picks Docker v2 schema 2 over OCI (kept from the base image).
    /// </summary>
    public static Image Create(ImageConfig config, IReadOnlyList<ILayer> layers, bool dockerMediaTypes)
    {
        config = config with { RootFs = new RootFs { DiffIds = layers.Select(l => l.DiffId).ToArray() } };
        var rawConfig = OciJson.Serialize(config);
        var mediaType = dockerMediaTypes ? MediaTypes.DockerManifest : MediaTypes.OciManifest;
        var manifest = new Manifest
        {
            MediaType = mediaType,
            Config = new Descriptor
            {
                MediaType = dockerMediaTypes ? MediaTypes.DockerConfig : MediaTypes.OciConfig,
                Digest = Digest.Sha256(rawConfig),
                Size = rawConfig.Length,
            },
            Layers = layers.Select(l => l.Descriptor).ToArray(),
        };
        return new Image(manifest, OciJson.Serialize(manifest), mediaType, config, rawConfig, layers);
    }
}
