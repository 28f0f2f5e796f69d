using Drydock.Oci;
using Drydock.Oci.DockerArchive;
using Drydock.Oci.Layout;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Errors;

namespace Drydock.Building;

/// <summary>
/// Where a finished build goes: local files first (tarball, OCI layout), then every registry
/// destination, then the digest files. One platform gives a plain image; several give an index.
/// </summary>
internal static class ImageOutputs
{
    /// <summary>
    /// Checks, before the build, that every destination repository accepts a push with the
    /// credentials found, as kaniko does: a wrong password or name fails in a second, not after the build.
    /// </summary>
    public static async Task CheckPushAccessAsync(BuildOutputs outputs, RegistryClientPool registries, CancellationToken cancellationToken)
    {
        if (!outputs.Push || !outputs.CheckPushAccess)
        {
            return;
        }

        foreach (var destination in outputs.Destinations.DistinctBy(d => (ImageReference.NormalizeRegistry(d.Registry), d.Repository)))
        {
            try
            {
                await registries.ForPush(destination.Registry).CheckPushAccessAsync(destination.Repository, cancellationToken).ConfigureAwait(false);
            }
            catch (RegistryException e)
            {
                throw new BuildException($"cannot push to {destination} (checked before building): {e.Message}");
            }
        }
    }

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
            var refused = new List<ImageReference>();
            await new ImagePusher(registries, immutableTagRefused: ImmutableTagRefused(outputs, refused, log)).PushAsync(image, outputs.Destinations, PushProgress(log), uploaded, cancellationToken).ConfigureAwait(false);
            LogPushed(outputs.Destinations.Except(refused).ToArray(), image.ManifestDigest, log);
        }

        await DigestFiles.WriteAsync(outputs, image.ManifestDigest, cancellationToken).ConfigureAwait(false);
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
            var refused = new List<ImageReference>();
            await new IndexPusher(registries, immutableTagRefused: ImmutableTagRefused(outputs, refused, log)).PushAsync(index, outputs.Destinations, PushProgress(log), uploaded, cancellationToken).ConfigureAwait(false);
            foreach (var image in index.Images)
            {
                log.Info($"Pushed the {Platform.Create(image.Config.Os, image.Config.Architecture, image.Config.Variant)} image {image.ManifestDigest}");
            }

            LogPushed(outputs.Destinations.Except(refused).ToArray(), index.Digest, log);
        }

        await DigestFiles.WriteAsync(outputs, index.Digest, cancellationToken).ConfigureAwait(false);
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

    /// <summary>When immutable tags may stand: notes each destination whose tag did not move, and warns.</summary>
    private static Action<ImageReference, RegistryException>? ImmutableTagRefused(BuildOutputs outputs, List<ImageReference> refused, IBuildLog log) =>
        outputs.IgnoreImmutableTags
            ? (destination, e) =>
            {
                lock (refused)
                {
                    refused.Add(destination);
                }

                log.Warn($"{destination} was not moved: the registry holds the tag immutable ({e.Message}); its blobs are pushed, the tag still names the image it named");
            }
            : null;
}
