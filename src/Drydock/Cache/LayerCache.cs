using System.Collections.Concurrent;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;

namespace Drydock.Cache;

/// <summary>
/// The layer cache of one build: finds a step's entry by its key (one manifest request), stores
/// the entries of steps that ran in the background (a failed store warns and never fails the
/// build), and explains a miss by comparing the key with the nearest stored entry.
/// </summary>
public sealed class LayerCache : IAsyncDisposable
{
    // Explaining reads tags and a few manifests; this bounds the work a miss at debug costs.
    private const int TagsRead = 2000;
    private const int ManifestsCompared = 24;

    private readonly ICacheStore _store;
    private readonly LayerCacheOptions _options;
    private readonly Action<string> _warn;
    private readonly Func<DateTimeOffset> _now;
    private readonly ConcurrentBag<Task> _stores = [];
    private bool _storing;

    private LayerCache(ICacheStore store, LayerCacheOptions options, Action<string> warn, Func<DateTimeOffset> now)
    {
        _store = store;
        _options = options;
        _warn = warn;
        _now = now;
        _storing = options.Store;
    }

    /// <summary>How messages name where the entries live.</summary>
    public string Name => _store.Name;

    public LayerCacheOptions Options => _options;

    /// <summary>
    /// The cache the options name: an OCI layout for <c>oci:DIR</c>, else a registry repository
    /// (the first destination's, with <c>/cache</c> appended, when none is named).
    /// </summary>
    public static LayerCache Open(LayerCacheOptions options, ImageReference? firstDestination, RegistryClientPool registries, Action<string> warn, Func<DateTimeOffset> now)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registries);
        if (options.Repository is { } named && named.StartsWith(LayerCacheOptions.LayoutScheme, StringComparison.Ordinal))
        {
            return new LayerCache(new LayoutCacheStore(Path.GetFullPath(named[LayerCacheOptions.LayoutScheme.Length..])), options, warn, now);
        }

        var repository = RepositoryOf(options, firstDestination);
        return new LayerCache(new RegistryCacheStore(registries.ForPush(repository.Registry), repository.Repository), options, warn, now);
    }

    /// <summary>The registry repository entries go to: the one named, else the first destination's with <c>/cache</c>.</summary>
    public static ImageReference RepositoryOf(LayerCacheOptions options, ImageReference? firstDestination)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Repository is { } named)
        {
            // A repository is named without a tag; a tag written anyway is dropped, as kaniko drops it.
            return ImageReference.TryParse(named, out var parsed)
                ? parsed
                : throw new FormatException($"--cache-repo {named} is not a repository name (registry/path, or oci:DIR for a local directory)");
        }

        return firstDestination is null
            ? throw new ArgumentException("the layer cache needs --cache-repo when the image has no destination", nameof(firstDestination))
            : ImageReference.Parse($"{firstDestination.Name}/cache");
    }

    /// <summary>
    /// Checks, before the build, that entries can be stored, as the destinations' push access is
    /// checked: when they cannot, one warning says so and the cache is only read, rather than a
    /// warning at every step.
    /// </summary>
    public async Task CheckStoreAccessAsync(CancellationToken cancellationToken)
    {
        if (!_storing)
        {
            return;
        }

        try
        {
            await _store.CheckStoreAccessAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Registry.Errors.RegistryException or IOException or UnauthorizedAccessException)
        {
            _storing = false;
            _warn($"cache entries cannot be stored in {_store.Name} (checked before building): {e.Message}; the cache is only read this time");
        }
    }

    /// <summary>The key's entry when it exists and is younger than the TTL.</summary>
    public async Task<CacheLookup> FindAsync(CacheKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var manifest = await _store.FindAsync(key.Tag, cancellationToken).ConfigureAwait(false);
        if (manifest is null || CacheEntryImage.Read(manifest) is not { } entry)
        {
            return new CacheLookup(null, CacheLookupReasons.NoEntry);
        }

        var age = _now() - entry.Made;
        return age > _options.Ttl
            ? new CacheLookup(null, $"the entry expired: it was made {Ages.Describe(age)} ago, and --cache-ttl is {Ages.Describe(_options.Ttl)}")
            : new CacheLookup(entry, null);
    }

    /// <summary>The layer of a hit, read from the cache only when something opens it.</summary>
    public ILayer? LayerOf(CacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Layer is var (descriptor, diffId) ? _store.LayerOf(descriptor, diffId) : null;
    }

    /// <summary>
    /// Stores the entry of a step that ran, in the background; <see cref="DisposeAsync"/> waits for
    /// every store. Nothing is stored with <c>--no-push-cache</c>, or where the check found it could not be.
    /// </summary>
    public void Store(CacheKey key, ILayer? layer, HistoryEntry history, Platform platform, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_storing)
        {
            return;
        }

        var entry = CacheEntryImage.Create(key, layer, history, _now(), platform.Os, platform.Architecture);
        _stores.Add(Task.Run(async () =>
        {
            try
            {
                await _store.StoreAsync(key.Tag, entry, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                _warn($"the cache entry of \"{history.CreatedBy}\" was not stored in {_store.Name}: {e.Message}; the build goes on, and the next one runs this step again");
            }
        }));
    }

    /// <summary>
    /// Says why the key has no entry, from the nearest entry stored: one after the same step when
    /// there is one, else the one sharing most parts; null when the store holds nothing comparable.
    /// </summary>
    public async Task<string?> ExplainMissAsync(CacheKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var tags = await _store.TagsAsync(TagsRead, cancellationToken).ConfigureAwait(false);
        var prefix = CacheTags.PrefixOf(key.Parent);
        var siblings = tags.Where(t => t.StartsWith(prefix, StringComparison.Ordinal) && t != key.Tag).ToArray();
        var candidates = siblings.Length > 0 ? siblings : tags.Where(CacheTags.IsEntry).Where(t => t != key.Tag).ToArray();
        var entries = new List<CacheEntry>();
        foreach (var tag in candidates.Take(ManifestsCompared))
        {
            if (await _store.FindAsync(tag, cancellationToken).ConfigureAwait(false) is { } manifest && CacheEntryImage.Read(manifest) is { } entry)
            {
                entries.Add(entry);
            }
        }

        var nearest = entries
            .OrderByDescending(e => key.Parts.Count(p => e.Parts.GetValueOrDefault(p.Name) == p.Value))
            .ThenByDescending(e => e.Made)
            .FirstOrDefault();
        if (nearest is null)
        {
            return null;
        }

        var before = key.Sources is null || nearest.Parts.GetValueOrDefault(CacheKey.SourcesPart) == key.Parts.FirstOrDefault(p => p.Name == CacheKey.SourcesPart)?.Value
            ? null
            : CacheEntryImage.SourcesOf(await _store.ReadConfigAsync(nearest.Config, cancellationToken).ConfigureAwait(false));
        return KeyDifferences.Describe(key, nearest, before);
    }

    /// <summary>Waits for the entries still being stored.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Task.WhenAll(_stores).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The build was stopped; the stores it stopped are not worth a warning.
        }
    }
}
