using Drydock.Reference;

namespace Drydock.Registry.Transport;

/// <summary>
/// How Drydock reaches registries, with kaniko's flags: which speak plain HTTP, whose TLS
/// certificates are not checked, which extra CAs and client certificates to use, and how hard to
/// retry, some of it per direction (<see cref="RegistryDirection"/>). Hosts are matched as
/// <c>host:port</c>, and an entry without a port covers every port of that host; Docker Hub's
/// aliases count as one host.
/// </summary>
public sealed record RegistryTransportOptions
{
    /// <summary><c>--insecure</c>: push over plain HTTP (to every registry pushed to).</summary>
    public bool Insecure { get; init; }

    /// <summary><c>--insecure-pull</c>: pull over plain HTTP from every registry.</summary>
    public bool InsecurePull { get; init; }

    /// <summary><c>--insecure-registry HOST</c>: talk plain HTTP to these registries, both ways.</summary>
    public IReadOnlyCollection<string> InsecureRegistries { get; init; } = [];

    /// <summary><c>--skip-tls-verify</c>: accept any TLS certificate when pushing.</summary>
    public bool SkipTlsVerify { get; init; }

    /// <summary><c>--skip-tls-verify-pull</c>: accept any TLS certificate when pulling.</summary>
    public bool SkipTlsVerifyPull { get; init; }

    /// <summary><c>--skip-tls-verify-registry HOST</c>: accept any TLS certificate from these registries, both ways.</summary>
    public IReadOnlyCollection<string> SkipTlsVerifyRegistries { get; init; } = [];

    /// <summary>
    /// The registries this run pushes to. <see cref="Insecure"/> and <see cref="SkipTlsVerify"/>
    /// cover pulls from them too: one host serves one scheme and one certificate, and a build's base
    /// image often lives next to its destination (kaniko would need the -pull flags as well).
    /// </summary>
    public IReadOnlyCollection<string> PushRegistries { get; init; } = [];

    /// <summary>
    /// <c>--registry-certificate HOST=PATH</c>: CA certificates (PEM files, or directories of
    /// <c>*.crt</c>/<c>*.pem</c>) trusted for a host in addition to the system roots.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> RegistryCertificates { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary><c>--registry-client-cert HOST=CERT,KEY</c>: the certificate to present to a host that asks for one (mutual TLS).</summary>
    public IReadOnlyDictionary<string, ClientCertificate> ClientCertificates { get; init; } = new Dictionary<string, ClientCertificate>();

    /// <summary>
    /// <c>--registry-mirror</c> and <c>--registry-map SRC=DST</c>: for each registry (normalised,
    /// <c>docker.io</c> for Docker Hub), the mirrors its images are pulled from first, in order.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<RegistryMirror>> Mirrors { get; init; } = new Dictionary<string, IReadOnlyList<RegistryMirror>>();

    /// <summary><c>--skip-default-registry-fallback</c>: when no mirror has an image, fail rather than ask the registry itself.</summary>
    public bool SkipDefaultRegistryFallback { get; init; }

    /// <summary>The proxies to reach registries through (from HTTP_PROXY, HTTPS_PROXY, NO_PROXY); null connects directly.</summary>
    public ProxySettings? Proxy { get; init; }

    /// <summary><c>--image-download-retry N</c>: how many times a failed pull request (connection error, 5xx, 429, timeout) is tried again.</summary>
    public int PullRetries { get; init; } = 3;

    /// <summary><c>--push-retry N</c>: how many times a failed push request or blob upload is tried again.</summary>
    public int PushRetries { get; init; } = 3;

    /// <summary>The first retry delay; later ones grow exponentially with jitter.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long one attempt of a request may wait for its reply's headers, and a blob download for
    /// its next bytes, before it counts as stalled and is tried again (or resumed).
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// <c>--push-stall-timeout</c>: how long a blob upload may go without progress (the connection
    /// taking no more of its bytes, or no reply after the last of them) before that attempt is
    /// aborted and tried again.
    /// </summary>
    public TimeSpan PushStallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Blobs larger than this are uploaded in PATCH chunks of this size; smaller ones in one PUT.</summary>
    public long UploadChunkSize { get; init; } = 32L * 1024 * 1024;

    public string UserAgent { get; init; } = "drydock";

    public bool IsInsecure(string registry, RegistryDirection direction) =>
        Matches(InsecureRegistries, registry) || direction switch
        {
            RegistryDirection.Push => Insecure,
            _ => InsecurePull || (Insecure && Matches(PushRegistries, registry)),
        };

    public bool SkipsTlsVerify(string registry, RegistryDirection direction) =>
        SkipsTlsVerifyEverywhere(direction) || Matches(SkipTlsVerifyRegistries, registry) ||
        (direction == RegistryDirection.Pull && SkipTlsVerify && Matches(PushRegistries, registry));

    /// <summary>True when no certificate is checked in this direction, whatever the host (redirect targets included).</summary>
    public bool SkipsTlsVerifyEverywhere(RegistryDirection direction) => direction == RegistryDirection.Push ? SkipTlsVerify : SkipTlsVerifyPull;

    public int RetriesFor(RegistryDirection direction) => direction == RegistryDirection.Push ? PushRetries : PullRetries;

    /// <summary>The extra CA files or directories configured for a registry.</summary>
    public IReadOnlyList<string> CertificatesFor(string registry) =>
        RegistryCertificates.Where(entry => HostMatches(entry.Key, registry)).SelectMany(entry => entry.Value).ToArray();

    /// <summary>The client certificate configured for a registry, if any (an exact host:port entry wins over a host one).</summary>
    public ClientCertificate? ClientCertificateFor(string registry) =>
        ClientCertificates.Where(entry => HostMatches(entry.Key, registry)).OrderByDescending(entry => HasPort(entry.Key)).Select(entry => entry.Value).FirstOrDefault();

    /// <summary>Adds a CA for a host, as <c>--registry-certificate</c> does.</summary>
    public RegistryTransportOptions WithRegistryCertificate(string host, string path)
    {
        var certificates = RegistryCertificates.ToDictionary(e => e.Key, e => e.Value, StringComparer.OrdinalIgnoreCase);
        certificates[host] = certificates.TryGetValue(host, out var existing) ? [.. existing, path] : [path];
        return this with { RegistryCertificates = certificates };
    }

    /// <summary>The mirrors to pull a registry's images from before the registry itself.</summary>
    public IReadOnlyList<RegistryMirror> MirrorsFor(string registry) =>
        Mirrors.GetValueOrDefault(ImageReference.NormalizeRegistry(registry)) ?? [];

    /// <summary>Adds a mirror after those a registry already has, as <c>--registry-mirror</c> (for <c>docker.io</c>) and <c>--registry-map</c> do.</summary>
    public RegistryTransportOptions WithMirror(string registry, RegistryMirror mirror)
    {
        var key = ImageReference.NormalizeRegistry(StripScheme(registry));
        var mirrors = Mirrors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        mirrors[key] = mirrors.TryGetValue(key, out var existing) ? [.. existing, mirror] : [mirror];
        return this with { Mirrors = mirrors };
    }

    /// <summary>Splits a <c>--registry-map</c> value: <c>SRC=DST</c> pairs separated by ';'.</summary>
    public static IReadOnlyList<(string Registry, RegistryMirror Mirror)> ParseRegistryMap(string value) =>
        value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(pair =>
            {
                var equals = pair.IndexOf('=');
                if (equals <= 0 || equals == pair.Length - 1)
                {
                    throw new FormatException($"'{pair}' is not of the form REGISTRY=MIRROR (e.g. index.docker.io=mirror.gcr.io).");
                }

                return (pair[..equals].Trim(), RegistryMirror.Parse(pair[(equals + 1)..]));
            })
            .ToArray();

    /// <summary>Adds a client certificate for a host, as <c>--registry-client-cert</c> does.</summary>
    public RegistryTransportOptions WithClientCertificate(string host, ClientCertificate certificate)
    {
        var certificates = ClientCertificates.ToDictionary(e => e.Key, e => e.Value, StringComparer.OrdinalIgnoreCase);
        certificates[host] = certificate;
        return this with { ClientCertificates = certificates };
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

    /// <summary>Splits a <c>HOST=CERT,KEY</c> flag value (<c>--registry-client-cert</c>).</summary>
    public static (string Host, ClientCertificate Certificate) ParseClientCertificate(string value)
    {
        var (host, paths) = ParseHostPath(value);
        var comma = paths.IndexOf(',');
        if (comma <= 0 || comma == paths.Length - 1)
        {
            throw new FormatException($"'{value}' is not of the form HOST=CERT,KEY (e.g. my.registry:5000=/certs/client.crt,/certs/client.key).");
        }

        return (host, new ClientCertificate(paths[..comma].Trim(), paths[(comma + 1)..].Trim()));
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

    private static bool HasPort(string entry)
    {
        var host = StripScheme(entry);
        var colon = host.LastIndexOf(':');
        return colon >= 0 && colon > host.LastIndexOf(']');
    }
}

/// <summary>A client certificate and its private key, both PEM files, for mutual TLS.</summary>
public sealed record ClientCertificate(string CertificatePath, string KeyPath);
