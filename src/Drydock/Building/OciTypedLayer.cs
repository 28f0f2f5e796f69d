using Drydock.Oci;

namespace Drydock.Building;

/// <summary>A Docker layer listed under the OCI media type of the same compression (its bytes are unchanged).</summary>
internal sealed class OciTypedLayer(ILayer inner, string mediaType) : ILayer
{
    public Descriptor Descriptor { get; } = inner.Descriptor with { MediaType = mediaType };

    public Digest DiffId => inner.DiffId;

    public static ILayer Of(ILayer layer) => layer.Descriptor.MediaType switch
    {
        MediaTypes.DockerLayerGzip => new OciTypedLayer(layer, MediaTypes.OciLayerGzip),
        MediaTypes.DockerForeignLayerGzip => new OciTypedLayer(layer, MediaTypes.OciLayerNondistributableGzip),
        _ => layer,
    };

    public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) => inner.OpenCompressedAsync(cancellationToken);
}
