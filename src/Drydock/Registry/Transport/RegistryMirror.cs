namespace Drydock.Registry.Transport;

/// <summary>
/// A registry that serves another's repositories, possibly under a path prefix:
/// <c>mirror.gcr.io</c>, or <c>harbor.example.com/dockerhub-proxy</c> where
/// <c>library/busybox</c> is found at <c>dockerhub-proxy/library/busybox</c>.
/// </summary>
public sealed record RegistryMirror(string Host, string? PathPrefix)
{
    /// <summary>
    /// Parses <c>HOST[:PORT][/PATH]</c> as kaniko's <c>--registry-mirror</c> and <c>--registry-map</c>
    /// take it. A leading <c>https://</c> or <c>http://</c> is dropped: the scheme follows the
    /// insecure options for the mirror's host, as for any registry.
    /// </summary>
    public static RegistryMirror Parse(string text)
    {
        var rest = text.Trim();
        foreach (var scheme in new[] { "https://", "http://" })
        {
            if (rest.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                rest = rest[scheme.Length..];
            }
        }

        rest = rest.TrimEnd('/');
        var slash = rest.IndexOf('/');
        var host = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? null : rest[(slash + 1)..];
        if (host.Length == 0 || host.Any(c => char.IsWhiteSpace(c) || c is '@' or '?' or '#') ||
            (prefix is not null && (prefix.Length == 0 || prefix.Split('/').Any(p => p.Length == 0 || p != p.ToLowerInvariant()))))
        {
            throw new FormatException($"'{text}' is not a registry mirror (expected HOST[:PORT][/PATH], e.g. mirror.gcr.io or harbor.example.com/dockerhub).");
        }

        return new RegistryMirror(host.ToLowerInvariant(), prefix);
    }

    /// <summary>Where the mirror keeps an origin repository.</summary>
    public string RepositoryFor(string repository) => PathPrefix is null ? repository : $"{PathPrefix}/{repository}";

    public override string ToString() => PathPrefix is null ? Host : $"{Host}/{PathPrefix}";
}
