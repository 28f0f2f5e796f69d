using Drydock.Oci;

namespace Drydock.Cache;

/// <summary>
/// A step's cache entry as its manifest describes it: the layer the step made (none when it
/// changed no file), the history it left, when the entry was made, and the parts of its key.
/// Everything a hit needs is in the manifest, so a hit costs that one request.
/// </summary>
/// <param name="Layer">The layer's descriptor (OCI media type) and diffID; null when the step changed nothing.</param>
/// <param name="CreatedBy">The history entry's created_by.</param>
/// <param name="HistoryCreated">When the step first ran (the history entry's created), if recorded.</param>
/// <param name="Made">When the entry was stored: what --cache-ttl is judged by.</param>
/// <param name="Parts">The parts of the entry's key, by name.</param>
/// <param name="Config">The entry's config blob (which lists the source files), read only to explain a miss.</param>
public sealed record CacheEntry(
    (Descriptor Descriptor, Digest DiffId)? Layer,
    string CreatedBy,
    DateTimeOffset? HistoryCreated,
    DateTimeOffset Made,
    IReadOnlyDictionary<string, string> Parts,
    Descriptor Config);
