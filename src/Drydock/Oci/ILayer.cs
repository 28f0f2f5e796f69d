namespace Drydock.Oci;

/// <summary>A layer of an image, wherever its blob lives (registry, file, layout, work dir).</summary>
public interface ILayer
{
    /// <summary>The compressed blob as the manifest lists it.</summary>
    Descriptor Descriptor { get; }

    /// <summary>The digest of the uncompressed tar (rootfs.diff_ids).</summary>
    Digest DiffId { get; }

    /// <summary>Opens the compressed blob; reading it to the end verifies its digest.</summary>
    Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken);
}
