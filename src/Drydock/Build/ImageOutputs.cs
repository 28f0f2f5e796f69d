using Drydock.Oci;
using Drydock.Oci.DockerArchive;
using Drydock.Oci.Layout;
using Drydock.Reference;
using Drydock.Registry;

namespace Drydock.Build;

/// <summary>
/// Where a finished build goes: local files first (tarball, OCI layout), then every registry
/// destination, then the digest file. One platform gives a plain image; several give an index.
/// </summary>
internal static class ImageOutputs
{
    /// <summary>Writes every output and returns the digest they name: the image's manifest, or the index over all platforms.</summary>
    /// <param name="uploaded">Layers already uploaded while they were written; the push does not send them again.</param>
    public static Task<Digest> WriteAsync(IReadOnlyList<Image> images, BuildOptions options, IReadOnlyList<ImageReference> destinations, RegistryClientPool registries, IBuildLog log, EarlyBlobUploads? uploaded, CancellationToken cancellationToken) =>
        images.Count == 1
            ? WriteImageAsync(images[0], options, destinations, registries, log, uploaded, cancellationToken)
            : WriteIndexAsync(PlatformIndex.Create(images), options, destinations, registries, log, uploaded, cancellationToken);

    private static async Task<Digest> WriteImageAsync(Image image, BuildOptions options, IReadOnlyList<ImageReference> destinations, RegistryClientPool registries, IBuildLog log, EarlyBlobUploads? uploaded, CancellationToken cancellationToken)
    {
        if (options.TarPath is { } tarPath)
        {
            await DockerArchiveWriter.WriteAsync(image, tarPath, destinations.Select(d => d.ToString()).ToArray(), cancellationToken).ConfigureAwait(false);
            log.Info($"Saved the image to {tarPath}");
        }

        if (options.OciLayoutPath is { } layoutPath)
        {
            await OciLayoutWriter.WriteAsync(image, layoutPath, destinations.FirstOrDefault()?.Tag, cancellationToken).ConfigureAwait(false);
            log.Info($"Saved the image to the OCI layout {layoutPath}");
        }

        if (ShouldPush(options, destinations))
        {
            await new ImagePusher(registries).PushAsync(image, destinations, PushProgress(log), uploaded, cancellationToken).ConfigureAwait(false);
            LogPushed(destinations, image.ManifestDigest, log);
        }

        await WriteDigestFileAsync(options, image.ManifestDigest, cancellationToken).ConfigureAwait(false);
        return image.ManifestDigest;
    }

    private static async Task<Digest> WriteIndexAsync(PlatformIndex index, BuildOptions options, IReadOnlyList<ImageReference> destinations, RegistryClientPool registries, IBuildLog log, EarlyBlobUploads? uploaded, CancellationToken cancellationToken)
    {
        // The builder refuses this before building; a docker-archive cannot say which image is for which platform.
        if (options.TarPath is not null)
        {
            throw new BuildException("--tar-path holds one platform's image, not an index");
        }

        if (options.OciLayoutPath is { } layoutPath)
        {
            await OciLayoutWriter.WriteIndexAsync(index, layoutPath, destinations.FirstOrDefault()?.Tag, cancellationToken).ConfigureAwait(false);
            log.Info($"Saved the index of {index.Images.Count} platforms to the OCI layout {layoutPath}");
        }

        if (ShouldPush(options, destinations))
        {
            await new IndexPusher(registries).PushAsync(index, destinations, PushProgress(log), uploaded, cancellationToken).ConfigureAwait(false);
            foreach (var image in index.Images)
            {
                log.Info($"Pushed the {Platform.Create(image.Config.Os, image.Config.Architecture, image.Config.Variant)} image {image.ManifestDigest}");
            }

            LogPushed(destinations, index.Digest, log);
        }

        await WriteDigestFileAsync(options, index.Digest, cancellationToken).ConfigureAwait(false);
        return index.Digest;
    }

    private static bool ShouldPush(BuildOptions options, IReadOnlyList<ImageReference> destinations) => !options.NoPush && destinations.Count > 0;

    private static Progress<BlobPushed> PushProgress(IBuildLog log) =>
        new(p => log.Debug($"{p.Outcome} {p.Descriptor.Digest} to {p.Registry}/{p.Repository}"));

    private static void LogPushed(IReadOnlyList<ImageReference> destinations, Digest digest, IBuildLog log)
    {
        foreach (var destination in destinations)
        {
            log.Info($"Pushed {destination}@{digest}");
        }
    }

    private static async Task WriteDigestFileAsync(BuildOptions options, Digest digest, CancellationToken cancellationToken)
    {
        if (options.DigestFile is { } digestFile)
        {
            await File.WriteAllTextAsync(digestFile, digest.ToString(), cancellationToken).ConfigureAwait(false);
        }
    }
}
