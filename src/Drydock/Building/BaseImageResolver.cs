using System.Collections.Concurrent;
using Drydock.Reference;
using Drydock.Registry;

namespace Drydock.Building;

/// <summary>
/// Resolves the images a build pulls (FROM, COPY --from, RUN --mount=from) to their manifest and
/// config once per build, whichever stage or platform asks first: two stages FROM one image cost
/// one manifest fetch, and a multi-platform build can check every base before its first step.
/// </summary>
internal sealed class BaseImageResolver(RegistryClientPool registries)
{
    private readonly ConcurrentDictionary<(string Reference, string Platform), Lazy<Task<RemoteImage>>> _resolved = new();

    public Task<RemoteImage> ResolveAsync(ImageReference reference, Platform platform, CancellationToken cancellationToken) =>
        _resolved.GetOrAdd(
            (reference.ToString(), platform.ToString()),
            _ => new Lazy<Task<RemoteImage>>(() => RemoteImage.LoadAsync(registries.For(reference), reference, platform, cancellationToken))).Value;
}
