namespace Drydock.Cache;

/// <summary>
/// Says in a few words which source files of a COPY or ADD differ between a cache entry and this
/// build, for the debug line that explains a miss: "src/main.c changed; docs/new.md added".
/// </summary>
public static class SourceChanges
{
    /// <summary>How many paths are named before the rest is counted.</summary>
    public const int NamesShown = 5;

    /// <summary>
    /// Changed paths first, then added, then removed, each in the order of the list they come
    /// from; at most <see cref="NamesShown"/> paths in all, then "and N more". A path listed more
    /// than once (two sources naming the same file) counts as changed when its digests differ in
    /// number or order.
    /// </summary>
    /// <param name="before">The cache entry's source digests.</param>
    /// <param name="now">This build's.</param>
    /// <returns>The sentence; null when both list the same paths with the same digests.</returns>
    public static string? Describe(IReadOnlyList<SourceFileDigest> before, IReadOnlyList<SourceFileDigest> now)
    {
        // GroupBy keeps the order of each path's first appearance.
        var old = before.GroupBy(f => f.Path, f => f.Digest, StringComparer.Ordinal).ToList();
        var current = now.GroupBy(f => f.Path, f => f.Digest, StringComparer.Ordinal).ToList();
        var oldByPath = old.ToDictionary(g => g.Key, StringComparer.Ordinal);
        var currentPaths = current.Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var named = current.Where(g => oldByPath.TryGetValue(g.Key, out var was) && !was.SequenceEqual(g)).Select(g => (Path: g.Key, What: "changed"))
            .Concat(current.Where(g => !oldByPath.ContainsKey(g.Key)).Select(g => (Path: g.Key, What: "added")))
            .Concat(old.Where(g => !currentPaths.Contains(g.Key)).Select(g => (Path: g.Key, What: "removed")))
            .ToList();
        if (named.Count == 0)
        {
            return null;
        }

        // Paths of the same kind share their verb: "a, b changed; c added".
        var shown = named.Take(NamesShown)
            .GroupBy(n => n.What)
            .Select(g => string.Join(", ", g.Select(n => n.Path)) + " " + g.Key);
        var sentence = string.Join("; ", shown);
        return named.Count > NamesShown ? $"{sentence}; and {named.Count - NamesShown} more" : sentence;
    }
}
