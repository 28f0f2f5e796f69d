namespace Drydock.Cache;

/// <summary>What looking a key up found: an entry to use, or why there is none.</summary>
/// <param name="Hit">The entry, when it exists and has not expired.</param>
/// <param name="Miss">Why there is no usable entry ("no entry", "expired …"); null on a hit.</param>
public sealed record CacheLookup(CacheEntry? Hit, string? Miss);

/// <summary>The reasons a lookup gives.</summary>
public static class CacheLookupReasons
{
    /// <summary>Nothing is stored under the key.</summary>
    public const string NoEntry = "no entry";
}
