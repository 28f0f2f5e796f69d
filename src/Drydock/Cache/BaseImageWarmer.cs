using Drydock.Reference;
using Drydock.Registry;

namespace Drydock.Cache;

/// <summary>
/// Fills a <see cref="BaseImageCache"/> from registries (kaniko's warmer): an image already there
/// and fresh is left as it is unless forced; otherwise manifest, config and layers are pulled,
/// each verified against its digest, into the directory.
/// </summary>
public sealed class BaseImageWarmer(BaseImageCache cache, RegistryClientPool registries)
{
    public async Task<WarmedImage> WarmAsync(ImageReference reference, Platform platform, bool force, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (!force && (await cache.LookupAsync(reference, platform, cancellationToken).ConfigureAwait(false)).Hit is { } fresh)
        {
            return new WarmedImage(reference, platform, fresh, Pulled: false);
        }

        var image = await RemoteImage.LoadAsync(registries.For(reference), reference, platform, cancellationToken).ConfigureAwait(false);
        var stored = await cache.StoreAsync(reference, platform, image, image.IndexDigest, cancellationToken).ConfigureAwait(false);
        return new WarmedImage(reference, platform, stored, Pulled: true);
    }
}
