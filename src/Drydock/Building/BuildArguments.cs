using Drydock.Reference;

namespace Drydock.Building;

/// <summary>
/// The --build-arg values of a build: which ARGs they set, which were consumed (docker warns about
/// the rest), and the values of the ARGs declared before the first FROM.
/// </summary>
internal sealed class BuildArguments
{
    // Docker passes these to every RUN without an ARG, and keeps them out of the image's history.
    private static readonly HashSet<string> ProxyNames = new(StringComparer.Ordinal)
    {
        "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy",
    };

    // Never reported as unused: they are predefined and may be passed to any build.
    private readonly HashSet<string> _predefined = new(ProxyNames, StringComparer.Ordinal);

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _meta = new(StringComparer.Ordinal);

    /// <param name="values">NAME=VALUE pairs; a null value is taken from <paramref name="environment"/> and dropped if unset there.</param>
    /// <param name="environment">Looks up an environment variable.</param>
    /// <param name="target">The platform the image is for (TARGETPLATFORM, TARGETOS, …).</param>
    /// <param name="build">The platform the build runs on (BUILDPLATFORM, BUILDOS, …).</param>
    public BuildArguments(IEnumerable<KeyValuePair<string, string?>> values, Func<string, string?> environment, Platform target, Platform build)
    {
        foreach (var (name, value) in values)
        {
            if ((value ?? environment(name)) is { } resolved)
            {
                _values[name] = resolved;
            }
        }

        // Like BuildKit, the platform ARGs are declared in the global scope: a stage sees them after a bare `ARG NAME`.
        foreach (var (prefix, platform) in new[] { ("TARGET", target), ("BUILD", build) })
        {
            DeclarePredefined(prefix + "PLATFORM", platform.ToString());
            DeclarePredefined(prefix + "OS", platform.Os);
            DeclarePredefined(prefix + "ARCH", platform.Architecture);
            DeclarePredefined(prefix + "VARIANT", platform.Variant ?? "");
        }
    }

    /// <summary>The variables FROM lines expand with: the meta ARGs' values.</summary>
    public IReadOnlyDictionary<string, string> MetaVariables => _meta;

    /// <summary>The proxy settings given as build arguments, for every RUN.</summary>
    public IEnumerable<KeyValuePair<string, string>> ProxyValues => _values.Where(v => ProxyNames.Contains(v.Key));

    /// <summary>The names given on the command line that no ARG declared.</summary>
    public IEnumerable<string> Unused => _values.Keys.Where(k => !_used.Contains(k) && !_predefined.Contains(k)).Order(StringComparer.Ordinal);

    private void DeclarePredefined(string name, string value)
    {
        _predefined.Add(name);
        DeclareMeta(name, value);
    }

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
