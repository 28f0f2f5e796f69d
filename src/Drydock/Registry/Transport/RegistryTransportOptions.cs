using Drydock.Reference;

namespace Drydock.Registry.Transport;

/// <summary>
/// How Drydock reaches registries: which speak plain HTTP, whose TLS certificates are not checked,
/// which extra CAs to trust, and how hard to retry. Hosts are matched as <c>host:port</c>, and an
/// entry without a port covers every port of that host; Docker Hub's aliases count as one host.
/// </summary>
public sealed record RegistryTransportOptions
{
    /// <summary><c>--insecure</c>: talk plain HTTP to every registry.</summary>
    public bool Insecure { get; init; }

    /// <summary><c>--insecure-registry HOST</c>: talk plain HTTP to these registries.</summary>
    public IReadOnlyCollection<string> InsecureRegistries { get; init; } = [];

    /// <summary><c>--skip-tls-verify</c>: accept any TLS certificate from any registry.</summary>
    public bool SkipTlsVerify { get; init; }

    /// <summary><c>--skip-tls-verify-registry HOST</c>: accept any TLS certificate from these registries.</summary>
    public IReadOnlyCollection<string> SkipTlsVerifyRegistries { get; init; } = [];

    /// <summary>
    /// <c>--registry-certificate HOST=PATH</c>: CA certificates (PEM files, or directories of
    /// <c>*.crt</c>/<c>*.pem</c>) trusted for a host in addition to the system roots.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> RegistryCertificates { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>How many times a failed request (connection error, 5xx, 429) is tried again.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>The first retry delay; later ones grow exponentially with jitter.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a request without a large body (manifest, HEAD, token, upload start) may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Blobs larger than this are uploaded in PATCH chunks of this size; smaller ones in one PUT.</summary>
    public long UploadChunkSize { get; init; } = 32L * 1024 * 1024;

    public string UserAgent { get; init; } = "drydock";

    public bool IsInsecure(string registry) => Insecure || Matches(InsecureRegistries, registry);

    public bool SkipsTlsVerify(string registry) => SkipTlsVerify || Matches(SkipTlsVerifyRegistries, registry);

    /// <summary>The extra CA files or directories configured for a registry.</summary>
    public IReadOnlyList<string> CertificatesFor(string registry) =>
        RegistryCertificates.Where(entry => HostMatches(entry.Key, registry)).SelectMany(entry => entry.Value).ToArray();

    /// <summary>Adds a CA for a host, as <c>--registry-certificate</c> does.</summary>
    public RegistryTransportOptions WithRegistryCertificate(string host, string path)
    {
        var certificates = RegistryCertificates.ToDictionary(e => e.Key, e => e.Value, StringComparer.OrdinalIgnoreCase);
        certificates[host] = certificates.TryGetValue(host, out var existing) ? [.. existing, path] : [path];
        return this with { RegistryCertificates = certificates };
    }

    /// <summary>Splits a <c>HOST=PATH</c> flag value (<c>--registry-certificate</c>, <c>--registry-client-cert</c>).</summary>
    public static (string Host, string Path) ParseHostPath(string value)
    {
        var equals = value.IndexOf('=');
        if (equals <= 0 || equals == value.Length - 1)
        {
            throw new FormatException($"'{value}' is not of the form HOST=PATH (e.g. my.registry:5000=/certs/ca.crt).");
        }

        return (value[..equals].Trim(), value[(equals + 1)..].Trim());
    }

    private static bool Matches(IEnumerable<string> hosts, string registry) => hosts.Any(host => HostMatches(host, registry));

    /// <summary>An entry matches its own host:port, and an entry without a port matches every port.</summary>
    internal static bool HostMatches(string entry, string registry)
    {
        var wanted = ImageReference.NormalizeRegistry(StripScheme(entry));
        var actual = ImageReference.NormalizeRegistry(StripScheme(registry));
        if (wanted == actual)
        {
            return true;
        }

        return !HasPort(wanted) && HasPort(actual) && actual[..actual.LastIndexOf(':')] == wanted;
    }

    private static string StripScheme(string host)
    {
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        var rest = scheme >= 0 ? host[(scheme + 3)..] : host;
        var slash = rest.IndexOf('/');
        return slash >= 0 ? rest[..slash] : rest;
    }

    private static bool HasPort(string host)
    {
        var colon = host.LastIndexOf(':');
        return colon >= 0 && colon > host.LastIndexOf(']');
    }
}
