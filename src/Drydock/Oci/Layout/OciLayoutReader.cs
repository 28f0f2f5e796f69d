using Drydock.Reference;

namespace Drydock.Oci.Layout;

/// <summary>
/// Reads an image out of an OCI image layout directory (oci-layout, index.json, blobs/), as
/// <see cref="OciLayoutWriter"/>, skopeo and umoci write them. Every blob read is verified against
/// its digest; layers stay on disk until opened.
/// </summary>
public static class OciLayoutReader
{
    /// <summary>
    /// Reads the image index.json lists under <paramref name="refName"/> (the
    /// <c>org.opencontainers.image.ref.name</c> annotation), or its only entry when no name is given.
    /// An entry that is an index (several platforms) is resolved to <paramref name="platform"/>, the
    /// host's when null.
    /// </summary>
    public static async Task<IImage> ReadAsync(string directory, string? refName, Platform? platform, CancellationToken cancellationToken)
    {
        var where = $"OCI layout {directory}";
        var marker = Path.Combine(directory, "oci-layout");
        if (!File.Exists(marker))
        {
            throw new InvalidDataException($"{where} has no oci-layout file: it is not an OCI image layout.");
        }

        var blobs = new BlobDirectory(Path.Combine(directory, "blobs"));
        var index = await ReadIndexAsync(Path.Combine(directory, "index.json"), where, cancellationToken).ConfigureAwait(false);
        var entry = Entry(index, refName, where);
        if (MediaTypes.IsIndex(entry.MediaType))
        {
            var raw = await blobs.ReadVerifiedAsync(entry, SmallBlobs.MaxManifestSize, $"index {entry.Digest} in {where}", cancellationToken).ConfigureAwait(false);
            var nested = SmallBlobs.Parse(() => OciJson.ReadIndex(raw), where);
            platform ??= Platform.Host;
            entry = PlatformSelector.Select(nested, platform) ?? throw new InvalidDataException(
                $"{where}: the index {entry.Digest} has no manifest for {platform}; it offers {string.Join(", ", PlatformSelector.PlatformsOf(nested))}.");
        }

        return await ReadImageAsync(blobs, entry, where, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The layout's index.json (what it lists, with each entry's annotations).</summary>
    public static Task<ImageIndex> ReadIndexAsync(string directory, CancellationToken cancellationToken) =>
        ReadIndexAsync(Path.Combine(directory, "index.json"), $"OCI layout {directory}", cancellationToken);

    /// <summary>
    /// Reads the image an entry of the layout's index.json describes (a manifest, not an index),
    /// manifest and config verified; layers stay on disk until opened.
    /// </summary>
    public static Task<IImage> ReadImageAsync(string directory, Descriptor entry, CancellationToken cancellationToken) =>
        ReadImageAsync(new BlobDirectory(Path.Combine(directory, "blobs")), entry, $"OCI layout {directory}", cancellationToken);

    private static async Task<ImageIndex> ReadIndexAsync(string path, string where, CancellationToken cancellationToken)
    {
        // index.json is no blob (nothing names its digest): it is only bounded, not verified.
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{where} has no index.json.");
        }

        if (new FileInfo(path).Length > SmallBlobs.MaxManifestSize)
        {
            throw new InvalidDataException($"{where}: index.json is larger than {SmallBlobs.MaxManifestSize} bytes.");
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return SmallBlobs.Parse(() => OciJson.ReadIndex(bytes), where);
    }

    /// <summary>The entry named <paramref name="refName"/>, or the only one.</summary>
    private static Descriptor Entry(ImageIndex index, string? refName, string where)
    {
        if (refName is null)
        {
            return index.Manifests.Count == 1
                ? index.Manifests[0]
                : throw new InvalidDataException($"{where} lists {index.Manifests.Count} images; name one ({Names(index)}).");
        }

        var named = index.Manifests.Where(m => m.Annotations?.GetValueOrDefault(OciLayoutWriter.RefNameAnnotation) == refName).ToArray();
        return named.Length switch
        {
            1 => named[0],
            0 => throw new InvalidDataException($"{where} has no image named '{refName}'; it has {Names(index)}."),
            _ => throw new InvalidDataException($"{where} lists {named.Length} images named '{refName}'."),
        };
    }

    private static string Names(ImageIndex index)
    {
        var names = index.Manifests.Select(m => m.Annotations?.GetValueOrDefault(OciLayoutWriter.RefNameAnnotation)).OfType<string>().ToArray();
        return names.Length > 0 ? string.Join(", ", names) : "no named ones";
    }

    private static async Task<IImage> ReadImageAsync(BlobDirectory blobs, Descriptor entry, string where, CancellationToken cancellationToken)
    {
        var rawManifest = await blobs.ReadVerifiedAsync(entry, SmallBlobs.MaxManifestSize, $"manifest {entry.Digest} in {where}", cancellationToken).ConfigureAwait(false);
        var manifest = SmallBlobs.Parse(() => OciJson.ReadManifest(rawManifest), where);
        var mediaType = manifest.MediaType ?? entry.MediaType;
        if (!MediaTypes.IsManifest(mediaType))
        {
            throw new InvalidDataException($"{where}: {entry.Digest} is a '{mediaType}', not an image manifest.");
        }

        var rawConfig = await blobs.ReadVerifiedAsync(manifest.Config, SmallBlobs.MaxConfigSize, $"config {manifest.Config.Digest} in {where}", cancellationToken).ConfigureAwait(false);
        var config = SmallBlobs.Parse(() => OciJson.ReadConfig(rawConfig), where);
        var diffIds = config.RootFs.DiffIds;
        if (diffIds.Count != manifest.Layers.Count)
        {
            throw new InvalidDataException($"{where}: the manifest {entry.Digest} lists {manifest.Layers.Count} layers but its config has {diffIds.Count} diff_ids.");
        }

        var layers = manifest.Layers.Select((descriptor, i) => (ILayer)new FileLayer(blobs.PathOf(descriptor.Digest), descriptor, diffIds[i])).ToArray();
        return Image.FromStored(manifest, rawManifest, mediaType, config, rawConfig, layers);
    }
}
