using Drydock.Oci;
using Drydock.Oci.Layout;

namespace Drydock.Cache;

/// <summary>
/// Cache entries in an OCI image layout on disk (<c>--cache-repo oci:DIR</c>): each entry an
/// image listed in index.json under its tag.
/// </summary>
internal sealed class LayoutCacheStore(string directory) : ICacheStore
{
    private readonly BlobDirectory _blobs = new(Path.Combine(directory, "blobs"));

    public string Name => LayerCacheOptions.LayoutScheme + directory;

    public async Task<Manifest?> FindAsync(string tag, CancellationToken cancellationToken)
    {
        var entry = (await EntriesAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(e => RefName(e) == tag);
        if (entry is null || !MediaTypes.IsManifest(entry.MediaType) || !File.Exists(_blobs.PathOf(entry.Digest)))
        {
            return null;
        }

        var raw = await _blobs.ReadVerifiedAsync(entry, SmallBlobs.MaxManifestSize, $"cache entry {tag} in {Name}", cancellationToken).ConfigureAwait(false);
        return OciJson.ReadManifest(raw);
    }

    public ILayer LayerOf(Descriptor descriptor, Digest diffId) => new FileLayer(_blobs.PathOf(descriptor.Digest), descriptor, diffId);

    public async Task<ImageConfig> ReadConfigAsync(Descriptor config, CancellationToken cancellationToken) =>
        OciJson.ReadConfig(await _blobs.ReadVerifiedAsync(config, SmallBlobs.MaxConfigSize, $"the config of cache entry {config.Digest} in {Name}", cancellationToken).ConfigureAwait(false));

    public async Task CheckStoreAccessAsync(CancellationToken cancellationToken) =>
        await OciLayoutWriter.OpenAsync(directory, cancellationToken).ConfigureAwait(false);

    public Task StoreAsync(string tag, Image entry, CancellationToken cancellationToken) =>
        OciLayoutWriter.WriteAsync(entry, directory, tag, cancellationToken);

    public async Task<IReadOnlyList<string>> TagsAsync(int limit, CancellationToken cancellationToken) =>
        [.. (await EntriesAsync(cancellationToken).ConfigureAwait(false)).Select(RefName).OfType<string>().Take(limit)];

    private async Task<IReadOnlyList<Descriptor>> EntriesAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, "index.json");
        if (!File.Exists(path))
        {
            return [];
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return SmallBlobs.Parse(() => OciJson.ReadIndex(bytes), $"{Name}/index.json").Manifests;
    }

    private static string? RefName(Descriptor entry) => entry.Annotations?.GetValueOrDefault(OciLayoutWriter.RefNameAnnotation);
}
