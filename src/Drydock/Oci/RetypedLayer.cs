namespace Drydock.Oci;

/// <summary>A layer listed under another media type of the same compression (Docker's or OCI's name); its bytes are unchanged.</summary>
public sealed class RetypedLayer(ILayer inner, string mediaType) : ILayer
{
    public Descriptor Descriptor { get; } = inner.Descriptor with { MediaType = mediaType };

    public Digest DiffId => inner.DiffId;

    /// <summary>The layer under its OCI name: a Docker base's layers in a zstd (OCI-only) image.</summary>
    public static ILayer AsOci(ILayer layer) => layer.Descriptor.MediaType switch
    {
        MediaTypes.DockerLayerGzip => new RetypedLayer(layer, MediaTypes.OciLayerGzip),
        MediaTypes.DockerForeignLayerGzip => new RetypedLayer(layer, MediaTypes.OciLayerNondistributableGzip),
        _ => layer,
    };

    public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) => inner.OpenCompressedAsync(cancellationToken);
}
