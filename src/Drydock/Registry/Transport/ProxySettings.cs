using System.Net;

namespace Drydock.Registry.Transport;

/// <summary>
/// Proxies from HTTP_PROXY, HTTPS_PROXY and NO_PROXY (or their lower-case forms), with the rules
/// of Go's <c>httpproxy</c> package that kaniko, docker and the registries' own tools follow:
/// the URL's scheme picks the proxy; loopback hosts and <c>localhost</c> are never proxied; a
/// NO_PROXY entry is <c>*</c>, an IP, a CIDR range, or a domain (<c>example.com</c> also covers
/// its subdomains, <c>.example.com</c> and <c>*.example.com</c> only them), optionally with a port.
/// A proxy URL without a scheme means http://; user:password in it are the proxy's credentials,
/// kept apart from its address so that no message or log line that names the proxy shows them.
/// </summary>
public sealed record ProxySettings
{
    public ProxyEndpoint? HttpProxy { get; init; }

    public ProxyEndpoint? HttpsProxy { get; init; }

    public IReadOnlyList<string> NoProxy { get; init; } = [];

    /// <summary>Reads the variables; null when neither proxy is set.</summary>
    public static ProxySettings? FromEnvironment(Func<string, string?> environment)
    {
        string? Read(string name) => environment(name) is { Length: > 0 } upper ? upper : environment(name.ToLowerInvariant()) is { Length: > 0 } lower ? lower : null;
        var http = Read("HTTP_PROXY");
        var https = Read("HTTPS_PROXY");
        if (http is null && https is null)
        {
            return null;
        }

        return new ProxySettings
        {
            HttpProxy = http is null ? null : ParseProxy(http, "HTTP_PROXY"),
            HttpsProxy = https is null ? null : ParseProxy(https, "HTTPS_PROXY"),
            NoProxy = (Read("NO_PROXY") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
    }

    /// <summary>The proxy for a request to <paramref name="destination"/>, or null to go direct.</summary>
    public ProxyEndpoint? ProxyFor(Uri destination)
    {
        var proxy = destination.Scheme == Uri.UriSchemeHttps ? HttpsProxy : HttpProxy;
        return proxy is null || Bypasses(destination) ? null : proxy;
    }

    /// <summary>True when a request to <paramref name="destination"/> goes direct, whatever the proxies.</summary>
    public bool Bypasses(Uri destination)
    {
        var host = destination.IdnHost.Trim('[', ']').ToLowerInvariant();
        var port = destination.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var ip = IPAddress.TryParse(host, out var address) ? address : null;
        if (host == "localhost" || (ip is not null && IPAddress.IsLoopback(ip)))
        {
            return true;
        }

        return NoProxy.Any(entry => Matches(entry.ToLowerInvariant(), host, port, ip));
    }

    private static bool Matches(string entry, string host, string port, IPAddress? ip)
    {
        if (entry == "*")
        {
            return true;
        }

        if (entry.Contains('/'))
        {
            return ip is not null && InRange(ip, entry);
        }

        var (entryHost, entryPort) = SplitPort(entry);
        if (entryPort is not null && entryPort != port)
        {
            return false;
        }

        if (IPAddress.TryParse(entryHost.Trim('[', ']'), out var entryIp))
        {
            return ip is not null && entryIp.Equals(ip);
        }

        if (entryHost.StartsWith("*.", StringComparison.Ordinal))
        {
            entryHost = entryHost[1..];
        }

        return entryHost.StartsWith('.')
            ? host.EndsWith(entryHost, StringComparison.Ordinal)
            : host == entryHost || host.EndsWith("." + entryHost, StringComparison.Ordinal);
    }

    /// <summary>Splits <c>host:port</c> or <c>[v6]:port</c>; a bare IPv6 address has colons but no port.</summary>
    private static (string Host, string? Port) SplitPort(string entry)
    {
        if (entry.StartsWith('['))
        {
            var close = entry.IndexOf(']');
            return close > 0 && close + 1 < entry.Length && entry[close + 1] == ':' ? (entry[..(close + 1)], entry[(close + 2)..]) : (entry, null);
        }

        var colon = entry.IndexOf(':');
        return colon > 0 && colon == entry.LastIndexOf(':') ? (entry[..colon], entry[(colon + 1)..]) : (entry, null);
    }

    private static bool InRange(IPAddress ip, string cidr)
    {
        var slash = cidr.IndexOf('/');
        if (!IPAddress.TryParse(cidr[..slash], out var network) || !int.TryParse(cidr[(slash + 1)..], out var bits) || network.AddressFamily != ip.AddressFamily)
        {
            return false;
        }

        var a = network.GetAddressBytes();
        var b = ip.GetAddressBytes();
        for (var i = 0; i < a.Length && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xff : (byte)(0xff << (8 - bits));
            if ((a[i] & mask) != (b[i] & mask))
            {
                return false;
            }
        }

        return true;
    }

    private static ProxyEndpoint ParseProxy(string value, string name)
    {
        var text = value.Contains("://", StringComparison.Ordinal) ? value : "http://" + value;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "socks5" or "socks4" or "socks4a"))
        {
            // The value may hold a password: name the variable, not what it says.
            throw new FormatException($"{name} is not a proxy URL Drydock can use (http://[USER:PASSWORD@]HOST:PORT or socks5://…).");
        }

        NetworkCredential? credential = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':');
            credential = new NetworkCredential(
                Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]),
                colon < 0 ? "" : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]));
        }

        return new ProxyEndpoint(new UriBuilder(uri) { UserName = "", Password = "" }.Uri, credential);
    }
}

/// <summary>A proxy's address (without user info) and the credentials its URL carried, if any.</summary>
public sealed record ProxyEndpoint(Uri Address, NetworkCredential? Credential)
{
    public override string ToString() => Address.ToString();
}

/// <summary>The <see cref="IWebProxy"/> that applies <see cref="ProxySettings"/>, with the credentials of each proxy.</summary>
internal sealed class SettingsWebProxy(ProxySettings settings) : IWebProxy, ICredentials
{
    public ICredentials? Credentials
    {
        get => this;
        set => throw new NotSupportedException("The proxy credentials come from the proxy URLs.");
    }

    public Uri? GetProxy(Uri destination) => settings.ProxyFor(destination)?.Address;

    public bool IsBypassed(Uri host) => settings.ProxyFor(host) is null;

    /// <summary>The credentials of whichever proxy is asking (HTTP and HTTPS may use different ones).</summary>
    public NetworkCredential? GetCredential(Uri uri, string authType) =>
        new[] { settings.HttpsProxy, settings.HttpProxy }
            .FirstOrDefault(p => p?.Credential is not null && p.Address.Host == uri.Host && p.Address.Port == uri.Port)?.Credential;
}
