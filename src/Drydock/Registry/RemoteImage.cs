using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry.Errors;

namespace Drydock.Registry;

/// <summary>
/// An image in a registry, resolved to one platform. Manifest and config are fetched and verified
/// when loaded and kept as raw bytes; layers stay in the registry until opened.
/// </summary>
public sealed class RemoteImage : IImage
{
    /// <summary>Configs are small; a larger one is refused rather than read into memory.</summary>
    public const long MaxConfigSize = SmallBlobs.MaxConfigSize;

    private RemoteImage(ImageReference reference, RegistryManifest manifestDocument, Manifest manifest, ImageConfig config, byte[] rawConfig, IReadOnlyList<ILayer> layers, Digest? indexDigest)
    {
        Reference = reference;
        Manifest = manifest;
        RawManifest = manifestDocument.Bytes;
        MediaType = manifestDocument.MediaType;
        ManifestDigest = manifestDocument.Digest;
        Config = config;
        RawConfig = rawConfig;
        Layers = layers;
        IndexDigest = indexDigest;
    }

    /// <summary>The reference pinned to this manifest's digest (<c>name:tag@sha256:…</c>).</summary>
    public ImageReference Reference { get; }

    /// <summary>The digest of the index the manifest was chosen from, if there was one.</summary>
    public Digest? IndexDigest { get; }

    public Manifest Manifest { get; }

    public ReadOnlyMemory<byte> RawManifest { get; }

    public string MediaType { get; }

    public Digest ManifestDigest { get; }

    public ImageConfig Config { get; }

    public ReadOnlyMemory<byte> RawConfig { get; }

    public IReadOnlyList<ILayer> Layers { get; }

    /// <summary>
    /// Loads an image; an index or manifest list is resolved to the entry for <paramref name="platform"/>.
    /// </summary>
    public static async Task<RemoteImage> LoadAsync(RegistryClient client, ImageReference reference, Platform platform, CancellationToken cancellationToken)
    {
        var document = await client.GetManifestAsync(reference, cancellationToken).ConfigureAwait(false);
        Digest? indexDigest = null;
        if (document.IsIndex)
        {
            var index = document.ReadIndex(reference);
            var offered = string.Join(", ", PlatformSelector.PlatformsOf(index));
            var chosen = PlatformSelector.Select(index, platform) ?? throw new RegistryException(
                $"resolving {reference} for {platform}",
                $"the image has no manifest for {platform}; it offers {(offered.Length > 0 ? offered : "none")}");
            indexDigest = document.Digest;
            reference = reference.WithDigest(chosen.Digest.ToString());
            document = await client.GetManifestAsync(reference, cancellationToken).ConfigureAwait(false);
            if (!MediaTypes.IsManifest(document.MediaType))
            {
                throw new RegistryException($"pulling manifest {reference}", $"the index entry for {platform} is a {document.MediaType}, not an image manifest");
            }
        }
        else if (!MediaTypes.IsManifest(document.MediaType))
        {
            throw new RegistryException($"pulling manifest {reference}", $"'{document.MediaType}' is not an image manifest media type");
        }
        else if (reference.Digest is null)
        {
            reference = reference.WithDigest(document.Digest.ToString());
        }

        var manifest = document.ReadManifest(reference);
        var rawConfig = await ReadConfigAsync(client, reference, manifest.Config, cancellationToken).ConfigureAwait(false);
        var config = RegistryManifest.Read(() => OciJson.ReadConfig(rawConfig), reference);
        var diffIds = config.RootFs.DiffIds;
        if (diffIds.Count != manifest.Layers.Count)
        {
            throw new RegistryException($"pulling {reference}", $"the manifest lists {manifest.Layers.Count} layers but the config has {diffIds.Count} diff_ids");
        }

        var layers = manifest.Layers.Select((descriptor, i) => (ILayer)new RemoteLayer(client, reference.Repository, descriptor, diffIds[i])).ToArray();
        return new RemoteImage(reference, document, manifest, config, rawConfig, layers, indexDigest);
    }

    private static async Task<byte[]> ReadConfigAsync(RegistryClient client, ImageReference reference, Descriptor descriptor, CancellationToken cancellationToken)
    {
        if (descriptor.Size is < 0 or > MaxConfigSize)
        {
            throw new RegistryException($"pulling {reference}", $"the config blob is said to be {descriptor.Size} bytes; at most {MaxConfigSize} are accepted");
        }

        var stream = await client.OpenBlobAsync(reference.Repository, descriptor, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new MemoryStream((int)descriptor.Size);
            try
            {
                await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                throw new RegistryException($"pulling config {descriptor.Digest} of {reference}", e.Message, innerException: e);
            }

            return buffer.ToArray();
        }
    }
}
