using Drydock.Context;
using Drydock.Oci;

namespace Drydock.Building;

/// <summary>How the config-only instructions change an image config, exactly as docker does.</summary>
public static class ConfigEdits
{
    /// <summary>The PATH docker gives an image that sets none.</summary>
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Sets or replaces variables, keeping the order of the ones already there.</summary>
    public static IReadOnlyList<string> SetEnv(IReadOnlyList<string>? env, IEnumerable<KeyValuePair<string, string>> values)
    {
        var result = new List<string>(env ?? []);
        foreach (var (name, value) in values)
        {
            var entry = $"{name}={value}";
            var index = result.FindIndex(e => NameOf(e) == name);
            if (index >= 0)
            {
                result[index] = entry;
            }
            else
            {
                result.Add(entry);
            }
        }

        return result;
    }

    public static IReadOnlyDictionary<string, string> SetLabels(IReadOnlyDictionary<string, string>? labels, IEnumerable<KeyValuePair<string, string>> values)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            result[key] = value;
        }

        foreach (var (key, value) in values)
        {
            result[key] = value;
        }

        return result;
    }

    /// <summary>Adds ports; a port without a protocol is TCP ("80" becomes "80/tcp"), a range adds each port.</summary>
    public static IReadOnlyDictionary<string, EmptyObject> AddExposedPorts(IReadOnlyDictionary<string, EmptyObject>? ports, IEnumerable<string> specs)
    {
        var result = new SortedDictionary<string, EmptyObject>(ports?.ToDictionary() ?? [], StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            foreach (var port in ExpandPortSpec(spec))
            {
                result[port] = EmptyObject.Instance;
            }
        }

        return result;
    }

    /// <summary>
    /// The new working directory: an absolute path replaces the old one, a relative one is joined
    /// to it; the result is cleaned like Go's path.Clean.
    /// </summary>
    public static string ResolveWorkingDir(string? current, string requested)
    {
        var joined = requested.StartsWith('/') ? requested : $"{(string.IsNullOrEmpty(current) ? "/" : current)}/{requested}";
        return CleanAbsolute(joined);
    }

    /// <summary>Cleans a path as an absolute POSIX path: no ".", no "..", no doubled or trailing slashes.</summary>
    public static string CleanAbsolute(string path) => GoPath.Clean("/" + path);

    private static string NameOf(string entry)
    {
        var equals = entry.IndexOf('=');
        return equals < 0 ? entry : entry[..equals];
    }

    private static IEnumerable<string> ExpandPortSpec(string spec)
    {
        var slash = spec.IndexOf('/');
        var protocol = slash < 0 ? "tcp" : spec[(slash + 1)..].ToLowerInvariant();
        var ports = slash < 0 ? spec : spec[..slash];
        if (protocol is not ("tcp" or "udp" or "sctp"))
        {
            throw new FormatException($"invalid protocol '{protocol}' in EXPOSE {spec}: use tcp, udp or sctp");
        }

        var dash = ports.IndexOf('-');
        if (!ushort.TryParse(dash < 0 ? ports : ports[..dash], out var first)
            || !ushort.TryParse(dash < 0 ? ports : ports[(dash + 1)..], out var last)
            || first == 0 || last < first)
        {
            throw new FormatException($"invalid port '{spec}' in EXPOSE: expected PORT[/PROTOCOL] or FIRST-LAST[/PROTOCOL], ports 1-65535");
        }

        for (var port = first; port <= last; port++)
        {
            yield return $"{port}/{protocol}";
            if (port == ushort.MaxValue)
            {
                yield break;
            }
        }
    }
}
