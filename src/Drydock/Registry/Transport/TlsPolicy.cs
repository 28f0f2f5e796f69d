using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Drydock.Registry.Transport;

/// <summary>
/// Decides whether to accept the certificate of one registry endpoint: the system roots always,
/// plus the CAs given for that host, or anything when verification is skipped for it. It remembers
/// why it last refused, so a TLS failure can be explained rather than reported as "handshake failed".
/// </summary>
internal sealed class TlsPolicy
{
    private readonly string _host;
    private readonly bool _skipForHost;
    private readonly bool _skipEverywhere;
    private readonly X509Certificate2Collection _extraRoots;

    public TlsPolicy(string authority, RegistryTransportOptions options, RegistryDirection direction)
    {
        _host = HostOf(authority);
        _skipForHost = options.SkipsTlsVerify(authority, direction);
        _skipEverywhere = options.SkipsTlsVerifyEverywhere(direction);
        _extraRoots = LoadRoots(authority, options.CertificatesFor(authority));
    }

    /// <summary>Why the last certificate was refused, in words; null when none was.</summary>
    public string? LastFailure { get; private set; }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None || _skipEverywhere)
        {
            return true;
        }

        // A redirect (blob storage, CDN) can lead to another host through this handler: the
        // leniency configured for the registry must not extend to it.
        var target = TargetHostOf(sender);
        var isRegistryHost = target is null || string.Equals(target, _host, StringComparison.OrdinalIgnoreCase);
        if (isRegistryHost && _skipForHost)
        {
            return true;
        }

        if (isRegistryHost && _extraRoots.Count > 0 && errors == SslPolicyErrors.RemoteCertificateChainErrors && certificate is not null)
        {
            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(_extraRoots);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain is not null)
            {
                // The intermediates the server sent, so a chain through them can be built.
                foreach (var element in chain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            if (custom.Build(leaf))
            {
                return true;
            }

            LastFailure = $"its certificate does not chain to the system roots nor to the CA configured for {_host} ({Describe(custom)})";
            return false;
        }

        LastFailure = Describe(errors, chain, target ?? _host);
        return false;
    }

    internal static string HostOf(string authority)
    {
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']');
            return close > 0 ? authority[1..close] : authority;
        }

        var colon = authority.LastIndexOf(':');
        return colon >= 0 ? authority[..colon] : authority;
    }

    private static string? TargetHostOf(object sender) => sender switch
    {
        SslStream stream when !string.IsNullOrEmpty(stream.TargetHostName) => stream.TargetHostName.Trim('[', ']'),
        HttpRequestMessage { RequestUri: { } uri } => uri.IdnHost,
        _ => null,
    };

    private static string Describe(SslPolicyErrors errors, X509Chain? chain, string host)
    {
        var reasons = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            reasons.Add("it sent no certificate");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            reasons.Add($"its certificate is not valid for the name {host}");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            reasons.Add(chain is null ? "its certificate is not trusted" : $"its certificate is not trusted ({Describe(chain)})");
        }

        return string.Join("; ", reasons);
    }

    private static string Describe(X509Chain chain)
    {
        var reasons = chain.ChainStatus
            .Select(s => s.Status)
            .Where(s => s != X509ChainStatusFlags.NoError)
            .Distinct()
            .Select(s => s switch
            {
                X509ChainStatusFlags.PartialChain => "its issuer is not a trusted CA",
                X509ChainStatusFlags.UntrustedRoot => "its root CA is not trusted",
                X509ChainStatusFlags.NotTimeValid => "it has expired or is not valid yet",
                X509ChainStatusFlags.Revoked => "it has been revoked",
                X509ChainStatusFlags.NotValidForUsage => "it is not valid for a TLS server",
                var other => other.ToString(),
            })
            .ToArray();
        var issuer = chain.ChainElements.Count > 0 ? chain.ChainElements[^1].Certificate.Issuer : null;
        return (reasons.Length == 0 ? "untrusted" : string.Join(", ", reasons)) + (issuer is null ? "" : $"; issued by {issuer}");
    }

    private static X509Certificate2Collection LoadRoots(string authority, IReadOnlyList<string> paths)
    {
        var roots = new X509Certificate2Collection();
        foreach (var path in paths)
        {
            IEnumerable<string> files = Directory.Exists(path)
                ? Directory.EnumerateFiles(path).Where(f => f.EndsWith(".crt", StringComparison.Ordinal) || f.EndsWith(".pem", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
                : [path];
            foreach (var file in files)
            {
                try
                {
                    var before = roots.Count;
                    roots.ImportFromPemFile(file);
                    if (roots.Count == before)
                    {
                        throw new InvalidDataException("it holds no PEM certificate");
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or InvalidDataException)
                {
                    throw new InvalidOperationException($"Cannot use the registry certificate for {authority} at {file}: {e.Message}", e);
                }
            }
        }

        return roots;
    }
}
