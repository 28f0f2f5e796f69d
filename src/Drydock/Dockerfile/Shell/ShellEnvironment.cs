namespace Drydock.Dockerfile.Shell;

/// <summary>Builds lexer environments from the <c>KEY=value</c> lists images and builders carry.</summary>
public static class ShellEnvironment
{
    /// <summary>An environment with no variables.</summary>
    public static IReadOnlyDictionary<string, string> Empty { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Reads <c>KEY=value</c> entries. When a name repeats, the last value wins; an entry without
    /// <c>=</c> defines the name with an empty value.
    /// </summary>
    public static IReadOnlyDictionary<string, string> FromEntries(IEnumerable<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                result[entry] = "";
            }
            else
            {
                result[entry[..eq]] = entry[(eq + 1)..];
            }
        }
        return result;
    }
}
