using Drydock.Foundation.Paths;
using Drydock.Layers;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;

namespace Drydock.Building;

/// <summary>What a stage starts from: the base image's config and layers, unpacked into its rootfs.</summary>
internal sealed record BaseImage(ImageConfig Config, IReadOnlyList<ILayer> Layers, bool DockerMediaTypes)
{
    private const int ConcurrentDownloads = 3;

    /// <summary>FROM scratch: an empty filesystem and a config with only the platform and docker's default PATH.</summary>
    public static BaseImage Scratch(Platform platform) => new(
        new ImageConfig
        {
            Architecture = platform.Architecture,
            Os = platform.Os,
            Variant = platform.Variant,
            Config = new ContainerConfig { Env = ["PATH=" + ConfigEdits.DefaultPath] },
        },
        [],
        DockerMediaTypes: false);

    /// <summary>
    /// Pulls the image for the platform and unpacks it. Each layer is downloaded once into the blob
    /// store (verified against its digest on the way) and unpacked from there; the stored blob is
    /// what outputs and pushes reuse.
    /// </summary>
    public static async Task<BaseImage> PullAsync(
        BaseImageResolver images, ImageReference reference, Platform platform, string rootfs, ImagePathSet ignored, BlobDirectory blobs, IBuildLog log, CancellationToken cancellationToken)
    {
        var image = await images.ResolveAsync(reference, platform, cancellationToken).ConfigureAwait(false);
        log.Info($"Pulled {reference} ({image.ManifestDigest}), {image.Layers.Count} layer(s)");
        // Downloads run a few at a time (registries throttle more); unpacking must go in order.
        var downloads = new ParallelOptions { MaxDegreeOfParallelism = ConcurrentDownloads, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(image.Layers.DistinctBy(l => l.Descriptor.Digest), downloads, async (layer, token) =>
        {
            var path = blobs.PathOf(layer.Descriptor.Digest);
            if (File.Exists(path))
            {
                return;
            }

            var download = await layer.OpenCompressedAsync(token).ConfigureAwait(false);
            await using (download.ConfigureAwait(false))
            {
                await BlobDirectory.WriteStreamAsync(path, download, token).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);

        var layers = image.Layers.Select(l => (ILayer)new FileLayer(blobs.PathOf(l.Descriptor.Digest), l.Descriptor, l.DiffId)).ToArray();
        await UnpackAsync(layers, rootfs, ignored, reference.ToString(), log, cancellationToken).ConfigureAwait(false);
        return new BaseImage(image.Config, layers, MediaTypes.IsDocker(image.MediaType));
    }

    /// <summary>FROM an earlier stage: its image, unpacked afresh so that stage's own rootfs stays as it was.</summary>
    public static async Task<BaseImage> FromStageAsync(IImage image, string stageName, string rootfs, ImagePathSet ignored, IBuildLog log, CancellationToken cancellationToken)
    {
        await UnpackAsync(image.Layers, rootfs, ignored, $"stage {stageName}", log, cancellationToken).ConfigureAwait(false);
        return new BaseImage(image.Config, image.Layers, MediaTypes.IsDocker(image.MediaType));
    }

    /// <summary>Extracts layers in order, checking each one's diffID against the config; <paramref name="ignored"/> is left alone (in place).</summary>
    private static async Task UnpackAsync(IReadOnlyList<ILayer> layers, string rootfs, ImagePathSet ignored, string source, IBuildLog log, CancellationToken cancellationToken)
    {
        var options = LayerExtractOptions.Default with { Warn = message => log.Warn($"{source}: {message}"), IgnoredPaths = ignored };
        foreach (var layer in layers)
        {
            var blob = await layer.OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
            await using (blob.ConfigureAwait(false))
            {
                var result = await LayerExtractor.ExtractAsync(blob, MediaTypes.CompressionOf(layer.Descriptor.MediaType), rootfs, options, cancellationToken).ConfigureAwait(false);
                if (result.DiffId != layer.DiffId)
                {
                    throw new InvalidDataException($"layer {layer.Descriptor.Digest} of {source} unpacks to {result.DiffId}, but the image config says {layer.DiffId}");
                }
            }
        }
    }
}
