using Drydock.Oci;

namespace Drydock.Layers;

/// <summary>The uncompressed side of every <see cref="ILayer"/>, derived from its one opener.</summary>
public static class LayerContent
{
    /// <summary>
    /// Opens the tar inside the layer's blob; reading it to the end verifies both the blob's digest
    /// and the tar's diffID.
    /// </summary>
    public static async Task<Stream> OpenUncompressedAsync(this ILayer layer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var compressed = await layer.OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
        var tar = LayerCompressionStreams.OpenDecompressing(compressed, MediaTypes.CompressionOf(layer.Descriptor.MediaType), leaveOpen: false);
        return new VerifyingStream(tar, layer.DiffId, -1, $"uncompressed layer {layer.Descriptor.Digest}");
    }
}
