namespace Drydock.Oci;

/// <summary>The media types of the OCI image spec and of Docker's v2 schema 2.</summary>
public static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayer = "application/vnd.oci.image.layer.v1.tar";
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    public const string OciLayerNondistributableGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";

    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string DockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    public static bool IsIndex(string? mediaType) => mediaType is OciIndex or DockerManifestList;

    public static bool IsManifest(string? mediaType) => mediaType is OciManifest or DockerManifest;

    public static bool IsDocker(string? mediaType) => mediaType is not null && mediaType.StartsWith("application/vnd.docker.", StringComparison.Ordinal);

    /// <summary>How a layer blob of this media type is compressed.</summary>
    public static LayerCompression CompressionOf(string mediaType) => mediaType switch
    {
        OciLayer => LayerCompression.None,
        OciLayerZstd => LayerCompression.Zstd,
        OciLayerGzip or OciLayerNondistributableGzip or DockerLayerGzip or DockerForeignLayerGzip => LayerCompression.Gzip,
        _ when mediaType.EndsWith("+zstd", StringComparison.Ordinal) => LayerCompression.Zstd,
        _ when mediaType.EndsWith("+gzip", StringComparison.Ordinal) || mediaType.EndsWith(".gzip", StringComparison.Ordinal) => LayerCompression.Gzip,
        _ when mediaType.EndsWith(".tar", StringComparison.Ordinal) => LayerCompression.None,
        _ => throw new NotSupportedException($"Unsupported layer media type '{mediaType}'."),
    };

    /// <summary>The layer media type matching a manifest flavour (Docker or OCI) and a compression.</summary>
    public static string LayerType(bool docker, LayerCompression compression) => (docker, compression) switch
    {
        (true, LayerCompression.Gzip) => DockerLayerGzip,
        (_, LayerCompression.Gzip) => OciLayerGzip,
        (_, LayerCompression.Zstd) => OciLayerZstd,
        _ => OciLayer,
    };
}
