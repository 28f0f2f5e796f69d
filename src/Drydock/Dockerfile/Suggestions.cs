namespace Drydock.Dockerfile;

/// <summary>"Did you mean …?" for misspelt instructions and flags.</summary>
internal static class Suggestions
{
    private const int MaxDistance = 2;

    /// <summary>The closest option within a small edit distance, or null.</summary>
    public static string? Closest(string value, IEnumerable<string> options, bool caseSensitive)
    {
        var comparison = caseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        var key = caseSensitive ? value : value.ToLowerInvariant();
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var option in options)
        {
            if (string.Equals(value, option, comparison))
            {
                return null;
            }
            var distance = Distance(key, caseSensitive ? option : option.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = option;
                bestDistance = distance;
            }
        }
        return bestDistance <= MaxDistance && bestDistance < value.Length ? best : null;
    }

    // Levenshtein distance with one row of memory.
    private static int Distance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            row[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
