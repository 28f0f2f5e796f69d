using Drydock.Oci;
using Drydock.Oci.DockerArchive;
using Drydock.Oci.Layout;
using Drydock.Reference;
using Drydock.Registry;

namespace Drydock.Building;

/// <summary>
/// Where a finished build goes: local files first (tarball, OCI layout), then every registry
/// destination, then the digest file. One platform gives a plain image; several give an index.
/// </summary>
internal static class ImageOutputs
{
    /// <summary>Writes every output and returns the digest they name: the image's manifest, or the index over all platforms.</summary>
    /// <param name="uploaded">Layers already uploaded while they were written; the push does not send them again.</param>
    public static Task<Digest> WriteAsync(IReadOnlyList<Image> images, BuildOutputs outputs, RegistryClientPool registries, IBuildLog log, EarlyBlobUploads? uploaded, CancellationToken cancellationToken) =>
        images.Count == 1
            ? WriteImageAsync(images[0], outputs, registries, log, uploaded, cancellationToken)
            : WriteIndexAsync(PlatformIndex.Create(images), outputs, registries, log, uploaded, cancellationToken);

    private static async Task<Digest> WriteImageAsync(Image image, BuildOutputs outputs, RegistryClientPool registries, IBuildLog log, EarlyBlobUploads? uploaded, CancellationToken cancellationToken)
    {
        if (outputs.DockerArchivePath is { } tarPath)
        {
            await DockerArchiveWriter.WriteAsync(image, tarPath, outputs.Destinations.Select(d => d.ToString()).ToArray(), cancellationToken).ConfigureAwait(false);
            log.Info($"Saved the image to {tarPath}");
        }

        if (outputs.OciLayoutPath is { } layoutPath)
        {
            await OciLayoutWriter.WriteAsync(image, layoutPath, outputs.Destinations.FirstOrDefault()?.Tag, cancellationToken).ConfigureAwait(false);
            log.Info($"Saved the image to the OCI layout {layoutPath}");
        }

        if (outputs.Push)
        {
            await new ImagePusher(registries).PushAsync(image, outputs.Destinations, PushProgress(log), uploaded, cancellationToken).ConfigureAwait(false);
            LogPushed(outputs.Destinations, image.ManifestDigest, log);
        }

        await WriteDigestFileAsync(outputs, image.ManifestDigest, cancellationToken).ConfigureAwait(false);
        return image.ManifestDigest;
    }

    private static async Task<Digest> WriteIndexAsync(PlatformIndex index, BuildOutputs outputs, RegistryClientPool registries, IBuildLog log, EarlyBlobUploads? uploaded, CancellationToken cancellationToken)
    {
        if (outputs.OciLayoutPath is { } layoutPath)
        {
            await OciLayoutWriter.WriteIndexAsync(index, layoutPath, outputs.Destinations.FirstOrDefault()?.Tag, cancellationToken).ConfigureAwait(false);
            log.Info($"Saved the index of {index.Images.Count} platforms to the OCI layout {layoutPath}");
        }

        if (outputs.Push)
        {
            await new IndexPusher(registries).PushAsync(index, outputs.Destinations, PushProgress(log), uploaded, cancellationToken).ConfigureAwait(false);
            foreach (var image in index.Images)
            {
                log.Info($"Pushed the {Platform.Create(image.Config.Os, image.Config.Architecture, image.Config.Variant)} image {image.ManifestDigest}");
            }

            LogPushed(outputs.Destinations, index.Digest, log);
        }

        await WriteDigestFileAsync(outputs, index.Digest, cancellationToken).ConfigureAwait(false);
        return index.Digest;
    }

    private static Progress<BlobPushed> PushProgress(IBuildLog log) =>
        new(p => log.Debug($"{p.Outcome} {p.Descriptor.Digest} to {p.Registry}/{p.Repository}"));

    private static void LogPushed(IReadOnlyList<ImageReference> destinations, Digest digest, IBuildLog log)
    {
        foreach (var destination in destinations)
        {
            log.Info($"Pushed {destination}@{digest}");
        }
    }

    private static async Task WriteDigestFileAsync(BuildOutputs outputs, Digest digest, CancellationToken cancellationToken)
    {
        if (outputs.DigestFile is { } digestFile)
        {
            await File.WriteAllTextAsync(digestFile, digest.ToString(), cancellationToken).ConfigureAwait(false);
        }
    }
}
