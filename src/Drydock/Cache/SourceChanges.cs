namespace Drydock.Cache;

/// <summary>Names the source files that differ between a stored entry and the current step.</summary>
public static class SourceChanges
{
    public static string Describe(IReadOnlyList<SourceFileDigest> before, IReadOnlyList<SourceFileDigest> after)
    {
        var old = before.ToDictionary(f => f.Path, f => f.Digest, StringComparer.Ordinal);
        var changed = after.Where(f => old.TryGetValue(f.Path, out var d) && d != f.Digest).Select(f => f.Path + " changed");
        var added = after.Where(f => !old.ContainsKey(f.Path)).Select(f => f.Path + " added");
        var now = after.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var removed = before.Where(f => !now.Contains(f.Path)).Select(f => f.Path + " removed");
        return string.Join(", ", changed.Concat(added).Concat(removed));
    }
}
