using Drydock.Layers;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;

namespace Drydock.Build;

/// <summary>What a stage starts from: the base image's config and layers, unpacked into its rootfs.</summary>
internal sealed record BaseImage(ImageConfig Config, IReadOnlyList<ILayer> Layers, bool DockerMediaTypes)
{
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
    /// store (verified against its digest on the way), extracted from there, and its diffID checked
    /// against the config; the stored blob is what outputs and pushes reuse.
    /// </summary>
    public static async Task<BaseImage> PullAsync(
        RegistryClients registries, ImageReference reference, Platform platform, string rootfs, BlobDirectory blobs, IBuildLog log, CancellationToken cancellationToken)
    {
        var image = await RemoteImage.LoadAsync(registries.For(reference), reference, platform, cancellationToken).ConfigureAwait(false);
        log.Info($"Pulled {reference} ({image.ManifestDigest}), {image.Layers.Count} layer(s)");
        var layers = new List<ILayer>(image.Layers.Count);
        var extractOptions = LayerExtractOptions.Default with { Warn = message => log.Warn($"{reference}: {message}") };
        foreach (var layer in image.Layers)
        {
            var path = blobs.PathOf(layer.Descriptor.Digest);
            if (!File.Exists(path))
            {
                var download = await layer.OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
                await using (download.ConfigureAwait(false))
                {
                    await BlobDirectory.WriteStreamAsync(path, download, cancellationToken).ConfigureAwait(false);
                }
            }

            var file = File.OpenRead(path);
            await using (file.ConfigureAwait(false))
            {
                var result = await LayerExtractor.ExtractAsync(file, MediaTypes.CompressionOf(layer.Descriptor.MediaType), rootfs, extractOptions, cancellationToken).ConfigureAwait(false);
                if (result.DiffId != layer.DiffId)
                {
                    throw new InvalidDataException($"layer {layer.Descriptor.Digest} of {reference} unpacks to {result.DiffId}, but the image config says {layer.DiffId}");
                }
            }

            layers.Add(new FileLayer(path, layer.Descriptor, layer.DiffId));
        }

        return new BaseImage(image.Config, layers, MediaTypes.IsDocker(image.MediaType));
    }
}
