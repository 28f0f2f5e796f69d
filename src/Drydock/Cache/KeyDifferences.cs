namespace Drydock.Cache;

/// <summary>
/// Says in one sentence how a key differs from a stored entry's: the base image, an earlier step,
/// the instruction, a build argument (by name, never its value), a source file (by path), or what
/// else the step can see.
/// </summary>
internal static class KeyDifferences
{
    /// <param name="key">The key that missed.</param>
    /// <param name="nearest">The stored entry nearest to it.</param>
    /// <param name="storedSources">The entry's source files, when its sources differ; null otherwise.</param>
    public static string Describe(CacheKey key, CacheEntry nearest, IReadOnlyList<SourceFileDigest>? storedSources)
    {
        var reasons = new List<string>();
        var current = key.Parts.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        foreach (var name in current.Keys.Union(nearest.Parts.Keys, StringComparer.Ordinal))
        {
            var now = current.GetValueOrDefault(name);
            var then = nearest.Parts.GetValueOrDefault(name);
            if (now != then)
            {
                reasons.Add(Reason(name, then, now, key.Sources?.Files, storedSources));
            }
        }

        // An earlier step only matters when nothing of this step's own explains the miss.
        if (reasons.Count > 1)
        {
            reasons.RemoveAll(r => r.StartsWith(EarlierStep, StringComparison.Ordinal));
        }

        return reasons.Count == 0
            ? $"an entry with the same parts exists under another tag (\"{nearest.CreatedBy}\")"
            : string.Join("; ", reasons) + $" (compared with the entry of \"{nearest.CreatedBy}\")";
    }

    private const string EarlierStep = "an earlier step changed";

    private static string Reason(string name, string? then, string? now, IReadOnlyList<SourceFileDigest>? files, IReadOnlyList<SourceFileDigest>? storedFiles) => name switch
    {
        CacheKey.BasePart => $"the base image changed: it was {then ?? "another"}, it is {now ?? "none"}",
        CacheKey.ParentPart => EarlierStep,
        CacheKey.InstructionPart => $"the instruction changed: it was \"{then}\", it is \"{now}\"",
        CacheKey.SourcesPart when files is not null && storedFiles is not null && SourceChanges.Describe(storedFiles, files) is { } changes => "a source changed: " + changes,
        CacheKey.SourcesPart => "the sources changed",
        _ when name.StartsWith(CacheKey.ArgumentPrefix, StringComparison.Ordinal) => Argument(name[CacheKey.ArgumentPrefix.Length..], then, now),
        _ => $"the {name} changed",
    };

    private static string Argument(string name, string? then, string? now) =>
        then is null ? $"the build argument {name} is new to this step"
        : now is null ? $"the build argument {name} no longer reaches this step"
        : $"the build argument {name} changed";
}
