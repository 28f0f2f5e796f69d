using System.Collections.Concurrent;
using System.Globalization;
using Drydock.Cache;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;

namespace Drydock.Building;

/// <summary>
/// Resolves the images a build pulls (FROM, COPY --from, RUN --mount=from) to their manifest and
/// config once per build, whichever stage or platform asks first: two stages FROM one image cost
/// one manifest fetch, and a multi-platform build can check every base before its first step.
/// A directory of warmed base images (<c>--cache-dir</c>), when given, answers before any registry.
/// </summary>
internal sealed class BaseImageResolver(RegistryClientPool registries, BaseImageCache? cache, IBuildLog log)
{
    private readonly ConcurrentDictionary<(string Reference, string Platform), Lazy<Task<IImage>>> _resolved = new();

    public Task<IImage> ResolveAsync(ImageReference reference, Platform platform, CancellationToken cancellationToken) =>
        _resolved.GetOrAdd(
            (reference.ToString(), platform.ToString()),
            _ => new Lazy<Task<IImage>>(() => LoadAsync(reference, platform, cancellationToken))).Value;

    private async Task<IImage> LoadAsync(ImageReference reference, Platform platform, CancellationToken cancellationToken)
    {
        if (cache is null)
        {
            return await RemoteImage.LoadAsync(registries.For(reference), reference, platform, cancellationToken).ConfigureAwait(false);
        }

        var lookup = await cache.LookupAsync(reference, platform, cancellationToken).ConfigureAwait(false);
        if (lookup.Hit is { } hit)
        {
            log.Info($"Using base image {reference} from the cache directory {cache.Directory} (warmed {hit.Warmed.ToString("u", CultureInfo.InvariantCulture)})");
            return hit.Image;
        }

        log.Debug($"base image {reference} ({platform}) is not taken from the cache directory {cache.Directory}: {lookup.Miss}");
        try
        {
            return await RemoteImage.LoadAsync(registries.For(reference), reference, platform, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (lookup.ExpiredSince is not null && !cancellationToken.IsCancellationRequested)
        {
            // The error that follows is the registry's; say why the warmed copy did not spare asking it.
            log.Warn($"{reference} is in the cache directory {cache.Directory}, but {lookup.Miss}: warm it again (drydock warm) or raise --cache-ttl");
            throw;
        }
    }
}
