using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;

namespace Drydock.Build;

/// <summary>Where a finished image goes: local files first (tarball, OCI layout), then every registry destination.</summary>
internal static class ImageOutputs
{
    /// <param name="uploaded">Layers already uploaded while they were written; the push does not send them again.</param>
    public static async Task WriteAsync(Image image, BuildOptions options, IReadOnlyList<ImageReference> destinations, RegistryClients registries, IBuildLog log, CancellationToken cancellationToken, EarlyBlobUploads? uploaded = null)
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

        if (!options.NoPush && destinations.Count > 0)
        {
            var progress = new Progress<BlobPushed>(p => log.Debug($"{p.Outcome} {p.Descriptor.Digest} to {p.Registry}/{p.Repository}"));
            await new ImagePusher(registries).PushAsync(image, destinations, progress, cancellationToken, uploaded).ConfigureAwait(false);
            foreach (var destination in destinations)
            {
                log.Info($"Pushed {destination}@{image.ManifestDigest}");
            }
        }

        if (options.DigestFile is { } digestFile)
        {
            await File.WriteAllTextAsync(digestFile, image.ManifestDigest.ToString(), cancellationToken).ConfigureAwait(false);
        }
    }
}
