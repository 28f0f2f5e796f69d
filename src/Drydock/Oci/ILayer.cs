namespace Drydock.Oci;

/// <summary>
/// A layer of an image, wherever its blob lives (registry, file, layout, archive, work dir).
/// </summary>
/// <remarks>
/// A layer has one opener, for its blob as stored. The uncompressed tar is derived from it for every
/// kind of layer alike, one floor up where the decompressors live, as go-containerregistry derives
/// <c>Uncompressed</c> from <c>Compressed</c>.
/// </remarks>
public interface ILayer
{
    /// <summary>The compressed blob as the manifest lists it.</summary>
    Descriptor Descriptor { get; }

    /// <summary>The digest of the uncompressed tar (rootfs.diff_ids).</summary>
    Digest DiffId { get; }

    /// <summary>Opens the compressed blob; reading it to the end verifies its digest.</summary>
    Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken);
}
