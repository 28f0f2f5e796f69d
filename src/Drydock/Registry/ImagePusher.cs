using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry.Errors;

namespace Drydock.Registry;

/// <summary>One blob done while pushing, for progress display.</summary>
public sealed record BlobPushed(string Registry, string Repository, Descriptor Descriptor, BlobPushOutcome Outcome);

/// <summary>
/// Pushes an image to any number of destinations. Every blob goes to every destination repository
/// first (skipped when present, mounted when the registry already has it in another repository);
/// only when all are confirmed is the manifest put under each tag, so no tag ever names an image
/// whose blobs are missing.
/// </summary>
public sealed class ImagePusher
{
    private readonly RegistryClientPool _clients;
    private readonly int _maxConcurrentUploads;
    private readonly Action<ImageReference, RegistryException>? _immutableTagRefused;

    /// <param name="immutableTagRefused">
    /// When given, a destination whose registry refuses to move a tag it holds immutable is
    /// reported here and the push goes on to the others; otherwise that refusal fails the push.
    /// </param>
    public ImagePusher(RegistryClientPool clients, int maxConcurrentUploads = 3, Action<ImageReference, RegistryException>? immutableTagRefused = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentUploads, 1);
        _clients = clients;
        _maxConcurrentUploads = maxConcurrentUploads;
        _immutableTagRefused = immutableTagRefused;
    }

    /// <summary>Pushes the image and returns its manifest digest.</summary>
    public Task<Digest> PushAsync(IImage image, IReadOnlyList<ImageReference> destinations, CancellationToken cancellationToken) =>
        PushAsync(image, destinations, progress: null, cancellationToken);

    /// <summary>Pushes the image, reporting each blob, and returns its manifest digest.</summary>
    public Task<Digest> PushAsync(IImage image, IReadOnlyList<ImageReference> destinations, IProgress<BlobPushed>? progress, CancellationToken cancellationToken) =>
        PushAsync(image, destinations, progress, uploaded: null, cancellationToken);

    /// <summary>
    /// Pushes the image, reporting each blob, and returns its manifest digest. Blobs that
    /// <paramref name="uploaded"/> already put into a repository are not sent there again.
    /// </summary>
    public async Task<Digest> PushAsync(IImage image, IReadOnlyList<ImageReference> destinations, IProgress<BlobPushed>? progress, EarlyBlobUploads? uploaded, CancellationToken cancellationToken)
    {
        CheckDestinations(image.ManifestDigest, destinations);
        await PushBlobsAsync(BlobsOf(image), destinations, progress, uploaded, cancellationToken).ConfigureAwait(false);
        await PutManifestAsync(image.RawManifest, image.MediaType, destinations, cancellationToken).ConfigureAwait(false);
        return image.ManifestDigest;
    }

    /// <summary>Refuses destinations pinned to another digest, before anything is sent.</summary>
    internal static void CheckDestinations(Digest digest, IReadOnlyList<ImageReference> destinations)
    {
        if (destinations.Count == 0)
        {
            throw new ArgumentException("At least one destination is needed.", nameof(destinations));
        }

        foreach (var destination in destinations.Where(d => d.Digest is not null && d.Digest != digest.ToString()))
        {
            throw new RegistryException($"pushing {destination}", $"the image's digest is {digest}, not the one the destination names");
        }
    }

    /// <summary>Puts every blob into every destination repository.</summary>
    internal async Task PushBlobsAsync(IReadOnlyList<PushedBlob> blobs, IReadOnlyList<ImageReference> destinations, IProgress<BlobPushed>? progress, EarlyBlobUploads? uploaded, CancellationToken cancellationToken)
    {
        var repositories = destinations
            .GroupBy(d => (Registry: ImageReference.NormalizeRegistry(d.Registry), d.Repository))
            .Select(g => (g.First().Registry, g.Key.Repository))
            .ToArray();

        // Repositories are done one after another so that later ones in the same registry can
        // mount what the first received instead of uploading it again.
        var firstRepository = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (registry, repository) in repositories)
        {
            var client = _clients.ForPush(registry);
            var normalized = ImageReference.NormalizeRegistry(registry);
            var earlier = firstRepository.GetValueOrDefault(normalized);
            await Parallel.ForEachAsync(
                blobs,
                new ParallelOptions { MaxDegreeOfParallelism = _maxConcurrentUploads, CancellationToken = cancellationToken },
                async (blob, token) =>
                {
                    if (uploaded is not null && await uploaded.IsUploadedAsync(registry, repository, blob.Descriptor.Digest, token).ConfigureAwait(false))
                    {
                        progress?.Report(new BlobPushed(registry, repository, blob.Descriptor, BlobPushOutcome.Streamed));
                        return;
                    }

                    var mountFrom = blob.Source is { } source && ImageReference.NormalizeRegistry(source.Registry) == normalized && source.Repository != repository
                        ? source.Repository
                        : earlier;
                    var outcome = await client.PushBlobAsync(repository, blob.Descriptor, blob.Open, mountFrom, token).ConfigureAwait(false);
                    progress?.Report(new BlobPushed(registry, repository, blob.Descriptor, outcome));
                }).ConfigureAwait(false);
            firstRepository.TryAdd(normalized, repository);
        }
    }

    /// <summary>Puts a manifest or index under every destination's tag (or digest), past the immutable tags the caller lets stand.</summary>
    internal async Task PutManifestAsync(ReadOnlyMemory<byte> manifest, string mediaType, IReadOnlyList<ImageReference> destinations, CancellationToken cancellationToken)
    {
        foreach (var destination in destinations)
        {
            try
            {
                await _clients.ForPush(destination.Registry).PutManifestAsync(destination, manifest, mediaType, cancellationToken).ConfigureAwait(false);
            }
            catch (RegistryException e) when (_immutableTagRefused is not null && ImmutableTagRefusal.Is(e))
            {
                _immutableTagRefused(destination, e);
            }
        }
    }

    internal static IReadOnlyList<PushedBlob> BlobsOf(IImage image)
    {
        var config = image.RawConfig;
        var blobs = new List<PushedBlob>
        {
            new(image.Manifest.Config, null, _ => Task.FromResult<Stream>(new MemoryStream(config.ToArray(), writable: false))),
        };

        // Foreign layers (Windows base layers) are fetched from their URLs by whoever pulls; they are never pushed.
        foreach (var layer in image.Layers.Where(l => l.Descriptor.Urls is not { Count: > 0 }))
        {
            if (blobs.Any(b => b.Descriptor.Digest == layer.Descriptor.Digest))
            {
                continue;
            }

            var source = layer is RemoteLayer remote ? (remote.Registry, remote.Repository) : ((string, string)?)null;
            blobs.Add(new PushedBlob(layer.Descriptor, source, layer.OpenCompressedAsync));
        }

        return blobs;
    }
}

/// <summary>A blob to push: what it is, the repository it is known to be in (to mount from), and how to read it.</summary>
internal sealed record PushedBlob(Descriptor Descriptor, (string Registry, string Repository)? Source, Func<CancellationToken, Task<Stream>> Open);
