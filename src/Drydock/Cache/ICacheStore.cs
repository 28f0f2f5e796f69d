using Drydock.Oci;

namespace Drydock.Cache;

/// <summary>Where cache entries live: a registry repository, or an OCI image layout on disk.</summary>
internal interface ICacheStore
{
    /// <summary>How messages name the store (<c>registry/repository</c>, <c>oci:/dir</c>).</summary>
    string Name { get; }

    /// <summary>The manifest stored under the tag, or null when there is none.</summary>
    Task<Manifest?> FindAsync(string tag, CancellationToken cancellationToken);

    /// <summary>An entry's layer; nothing is read until it is opened.</summary>
    ILayer LayerOf(Descriptor descriptor, Digest diffId);

    /// <summary>An entry's config blob, verified.</summary>
    Task<ImageConfig> ReadConfigAsync(Descriptor config, CancellationToken cancellationToken);

    /// <summary>Checks that entries can be stored, before the build (an upload session opened and deleted; a directory made).</summary>
    Task CheckStoreAccessAsync(CancellationToken cancellationToken);

    /// <summary>Stores an entry's blobs, then its manifest under the tag.</summary>
    Task StoreAsync(string tag, Image entry, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> tags of the store.</summary>
    Task<IReadOnlyList<string>> TagsAsync(int limit, CancellationToken cancellationToken);
}
