using Drydock.Cache;

namespace Drydock.Building.Caching;

/// <summary>What the layer cache says about one step before it runs.</summary>
/// <param name="Key">The step's key; null when the step cannot be keyed or the cache is off.</param>
/// <param name="Hit">The entry to use in place of running the step.</param>
/// <param name="Note">Why the step runs, for the log: a miss's reason, or why the step is not looked up.</param>
/// <param name="LookedUp">Whether the cache was asked (so a miss can be explained, and the entry stored after the step).</param>
internal sealed record CacheDecision(CacheKey? Key, CacheEntry? Hit, string? Note, bool LookedUp)
{
    /// <summary>No cache, or a step that changes only the config.</summary>
    public static readonly CacheDecision None = new(null, null, null, LookedUp: false);

    /// <summary>What the step's log line ends with.</summary>
    public string Suffix => Hit is not null ? " [CACHED]" : LookedUp ? " [cache miss]" : Note is not null ? " [not cached]" : "";
}
