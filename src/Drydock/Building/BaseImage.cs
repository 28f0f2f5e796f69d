using System.Text;
using Drydock.Oci;
using Drydock.Reference;

namespace Drydock.Building;

/// <summary>
/// What a stage starts from: the base image's config and layers, not yet unpacked (see
/// <see cref="StageFiles"/>), and its identity, which the stage's first cache key builds on.
/// </summary>
/// <param name="Identity">The image's manifest digest, a digest of an earlier stage's layers, or that of scratch.</param>
internal sealed record BaseImage(ImageConfig Config, IReadOnlyList<ILayer> Layers, bool DockerMediaTypes, string Identity)
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
        DockerMediaTypes: false,
        Digest.Sha256(Encoding.UTF8.GetBytes("scratch")).ToString());

    /// <summary>The image FROM names, resolved for the platform (manifest and config; the layers stay where they are).</summary>
    public static async Task<BaseImage> ResolveAsync(BaseImageResolver images, ImageReference reference, Platform platform, IBuildLog log, CancellationToken cancellationToken)
    {
        var image = await images.ResolveAsync(reference, platform, cancellationToken).ConfigureAwait(false);
        log.Info($"Base image {reference} is {image.ManifestDigest}, {image.Layers.Count} layer(s)");
        return new BaseImage(image.Config, image.Layers, MediaTypes.IsDocker(image.MediaType), image.ManifestDigest.ToString());
    }

    /// <summary>FROM an earlier stage: its image, whose files are unpacked afresh so that stage's own rootfs stays as it was.</summary>
    public static BaseImage FromStage(IImage image) =>
        new(image.Config, image.Layers, MediaTypes.IsDocker(image.MediaType), LayersIdentity(image.Layers));

    /// <summary>A stage's files, named by the layers they are made of.</summary>
    public static string LayersIdentity(IEnumerable<ILayer> layers) =>
        Digest.Sha256(Encoding.UTF8.GetBytes("layers\n" + string.Concat(layers.Select(l => l.DiffId + "\n")))).ToString();
}
