using System.Net;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Errors;

namespace Drydock.Cache;

/// <summary>Cache entries as small images in a registry repository (kaniko's <c>--cache-repo</c>).</summary>
internal sealed class RegistryCacheStore(RegistryClient client, string repository) : ICacheStore
{
    public string Name => $"{client.Registry}/{repository}";

    public async Task<Manifest?> FindAsync(string tag, CancellationToken cancellationToken)
    {
        RegistryManifest document;
        try
        {
            document = await client.GetManifestAsync(ImageReference.Parse($"{Name}:{tag}"), cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        return MediaTypes.IsManifest(document.MediaType) ? OciJson.ReadManifest(document.Bytes.Span) : null;
    }

    public ILayer LayerOf(Descriptor descriptor, Digest diffId) => new RemoteLayer(client, repository, descriptor, diffId);

    public async Task<ImageConfig> ReadConfigAsync(Descriptor config, CancellationToken cancellationToken)
    {
        var blob = await client.OpenBlobAsync(repository, config, cancellationToken).ConfigureAwait(false);
        return OciJson.ReadConfig(await SmallBlobs.ReadVerifiedAsync(blob, config, SmallBlobs.MaxConfigSize, $"the config of cache entry {config.Digest}", cancellationToken).ConfigureAwait(false));
    }

    public Task CheckStoreAccessAsync(CancellationToken cancellationToken) => client.CheckPushAccessAsync(repository, cancellationToken);

    public async Task StoreAsync(string tag, Image entry, CancellationToken cancellationToken)
    {
        foreach (var blob in ImagePusher.BlobsOf(entry))
        {
            await client.PushBlobAsync(repository, blob.Descriptor, blob.Open, cancellationToken).ConfigureAwait(false);
        }

        await client.PutManifestAsync(ImageReference.Parse($"{Name}:{tag}"), entry.RawManifest, entry.MediaType, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<string>> TagsAsync(int limit, CancellationToken cancellationToken) => client.ListTagsAsync(repository, limit, cancellationToken);
}
