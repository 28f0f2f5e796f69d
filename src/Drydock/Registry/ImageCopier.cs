using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry.Errors;

namespace Drydock.Registry;

/// <summary>
/// Copies an image from one repository to another, registry to registry: a single manifest, or an
/// index with every manifest it lists (nested indexes too). Blobs are mounted when source and
/// destination share a registry and streamed from one to the other otherwise, verified on the way;
/// manifests are pushed byte for byte, so every digest stays what it was. As with a push, the
/// destination tag is written last, once everything it names is there.
/// </summary>
public sealed class ImageCopier
{
    /// <summary>Deeper nesting than this is refused: real indexes nest once at most, a loop never ends.</summary>
    private const int MaxDepth = 4;

    private readonly RegistryClientPool _clients;
    private readonly ImagePusher _pusher;

    public ImageCopier(RegistryClientPool clients, int maxConcurrentUploads = 3)
    {
        _clients = clients;
        _pusher = new ImagePusher(clients, maxConcurrentUploads);
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/> and returns the digest of the top manifest or index.</summary>
    public async Task<Digest> CopyAsync(ImageReference source, ImageReference destination, IProgress<BlobPushed>? progress, CancellationToken cancellationToken)
    {
        var document = await _clients.For(source).GetManifestAsync(source, cancellationToken).ConfigureAwait(false);
        ImagePusher.CheckDestinations(document.Digest, [destination]);
        await CopyContentAsync(source, document, destination, progress, depth: 0, cancellationToken).ConfigureAwait(false);
        await _pusher.PutManifestAsync(document.Bytes, document.MediaType, [destination], cancellationToken).ConfigureAwait(false);
        return document.Digest;
    }

    /// <summary>Puts what a document refers to into the destination repository: blobs for a manifest, manifests (by digest) for an index.</summary>
    private async Task CopyContentAsync(ImageReference source, RegistryManifest document, ImageReference destination, IProgress<BlobPushed>? progress, int depth, CancellationToken cancellationToken)
    {
        if (!document.IsIndex)
        {
            var manifest = document.ReadManifest(source);
            await _pusher.PushBlobsAsync(BlobsOf(source, manifest), [destination], progress, uploaded: null, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (depth >= MaxDepth)
        {
            throw new RegistryException($"copying {source}", $"its indexes nest more than {MaxDepth} deep");
        }

        var index = document.ReadIndex(source);
        foreach (var entry in index.Manifests)
        {
            if (entry.MediaType is not null && !MediaTypes.IsManifest(entry.MediaType) && !MediaTypes.IsIndex(entry.MediaType))
            {
                throw new RegistryException($"copying {source}", $"its index lists {entry.Digest} of type {entry.MediaType}, which is neither a manifest nor an index");
            }

            var child = source.WithDigest(entry.Digest.ToString());
            var childDocument = await _clients.For(source).GetManifestAsync(child, cancellationToken).ConfigureAwait(false);
            await CopyContentAsync(child, childDocument, destination, progress, depth + 1, cancellationToken).ConfigureAwait(false);
            var target = ImageReference.Parse($"{destination.Name}@{entry.Digest}");
            await _pusher.PutManifestAsync(childDocument.Bytes, childDocument.MediaType, [target], cancellationToken).ConfigureAwait(false);
        }
    }

    private IReadOnlyList<PushedBlob> BlobsOf(ImageReference source, Manifest manifest)
    {
        var client = _clients.For(source);

        // Foreign layers stay at their URLs, as the registry that served the manifest left them.
        return new[] { manifest.Config }.Concat(manifest.Layers.Where(l => l.Urls is not { Count: > 0 }))
            .DistinctBy(d => d.Digest)
            .Select(d => new PushedBlob(d, (source.Registry, source.Repository), token => client.OpenBlobAsync(source.Repository, d, token)))
            .ToArray();
    }
}
