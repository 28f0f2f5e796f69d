namespace Drydock.Build;

/// <summary>
/// The --build-arg values of a build: which ARGs they set, which were consumed (docker warns about
/// the rest), and the values of the ARGs declared before the first FROM.
/// </summary>
internal sealed class BuildArguments
{
    // Docker never warns about these: they are predefined and may be passed to any build.
    private static readonly HashSet<string> Predefined = new(StringComparer.Ordinal)
    {
        "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy",
    };

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _meta = new(StringComparer.Ordinal);

    /// <param name="values">NAME=VALUE pairs; a null value is taken from <paramref name="environment"/> and dropped if unset there.</param>
    public BuildArguments(IEnumerable<KeyValuePair<string, string?>> values, Func<string, string?> environment)
    {
        foreach (var (name, value) in values)
        {
            if ((value ?? environment(name)) is { } resolved)
            {
                _values[name] = resolved;
            }
        }
    }

    /// <summary>The variables FROM lines expand with: the meta ARGs' values.</summary>
    public IReadOnlyDictionary<string, string> MetaVariables => _meta;

    /// <summary>The names given on the command line that no ARG declared.</summary>
    public IEnumerable<string> Unused => _values.Keys.Where(k => !_used.Contains(k) && !Predefined.Contains(k)).Order(StringComparer.Ordinal);

    /// <summary>Declares a meta ARG (before the first FROM) with its already expanded default.</summary>
    public void DeclareMeta(string name, string? expandedDefault)
    {
        if (Value(name, expandedDefault) is { } value)
        {
            _meta[name] = value;
        }
        else
        {
            _meta.Remove(name);
        }
    }

    /// <summary>
    /// The value an ARG takes inside a stage: the command line's, else its default, else (for a
    /// bare <c>ARG NAME</c>) the meta ARG of that name, else unset.
    /// </summary>
    public string? Value(string name, string? defaultValue)
    {
        if (_values.TryGetValue(name, out var value))
        {
            _used.Add(name);
            return value;
        }

        return defaultValue ?? _meta.GetValueOrDefault(name);
    }
}
