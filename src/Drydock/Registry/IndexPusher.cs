using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry.Errors;

namespace Drydock.Registry;

/// <summary>
/// Pushes a multi-platform index to any number of destinations: every image's blobs to every
/// destination repository, then each image's manifest by digest, and only when all of them are
/// confirmed the index under each tag, so no tag ever names an index with a manifest missing.
/// </summary>
/// <param name="immutableTagRefused">As <see cref="ImagePusher"/>'s: where refusals to move an immutable tag go, if they may be let stand.</param>
public sealed class IndexPusher(RegistryClientPool clients, int maxConcurrentUploads = 3, Action<ImageReference, RegistryException>? immutableTagRefused = null)
{
    private readonly ImagePusher _pusher = new(clients, maxConcurrentUploads, immutableTagRefused);

    /// <summary>
    /// Pushes the index with its images, reporting each blob, and returns the index digest. Blobs
    /// that <paramref name="uploaded"/> already put into a repository are not sent there again.
    /// </summary>
    public async Task<Digest> PushAsync(PlatformIndex index, IReadOnlyList<ImageReference> destinations, IProgress<BlobPushed>? progress, EarlyBlobUploads? uploaded, CancellationToken cancellationToken)
    {
        ImagePusher.CheckDestinations(index.Digest, destinations);

        // One pass over every blob of every image: layers shared between platforms go once.
        var blobs = index.Images.SelectMany(ImagePusher.BlobsOf).DistinctBy(b => b.Descriptor.Digest).ToArray();
        await _pusher.PushBlobsAsync(blobs, destinations, progress, uploaded, cancellationToken).ConfigureAwait(false);

        var repositories = destinations.DistinctBy(d => (ImageReference.NormalizeRegistry(d.Registry), d.Repository)).ToArray();
        foreach (var image in index.Images)
        {
            var byDigest = repositories.Select(d => ImageReference.Parse($"{d.Name}@{image.ManifestDigest}")).ToArray();
            await _pusher.PutManifestAsync(image.RawManifest, image.MediaType, byDigest, cancellationToken).ConfigureAwait(false);
        }

        await _pusher.PutManifestAsync(index.RawIndex, index.MediaType, destinations, cancellationToken).ConfigureAwait(false);
        return index.Digest;
    }
}
