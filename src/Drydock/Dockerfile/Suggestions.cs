namespace Drydock.Dockerfile;

/// <summary>"Did you mean …?" for misspelt instructions and flags.</summary>
internal static class Suggestions
{
    /// <summary>
    /// The closest option, if it is a plausible typo: one edit for short words (so FOO does not
    /// suggest FROM), two for longer ones. Swapping two neighbours counts as one edit (FORM → FROM).
    /// </summary>
    public static string? Closest(string value, IEnumerable<string> options, bool caseSensitive)
    {
        var comparison = caseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        var key = caseSensitive ? value : value.ToLowerInvariant();
        var maxDistance = value.Length <= 4 ? 1 : 2;
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
        return bestDistance <= maxDistance ? best : null;
    }

    // Optimal string alignment distance: Levenshtein plus adjacent transpositions.
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
