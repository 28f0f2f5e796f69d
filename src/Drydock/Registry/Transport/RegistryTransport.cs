using System.Collections.Concurrent;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Drydock.Reference;

namespace Drydock.Registry.Transport;

/// <summary>
/// The connection side of talking to registries: for each endpoint (<c>host:port</c>) and
/// direction one pooled <see cref="SocketsHttpHandler"/> whose certificate check applies that
/// host's TLS options and which presents its client certificate, behind a <see cref="RetryHandler"/>.
/// Share one transport between clients so they share connections.
/// </summary>
public sealed class RegistryTransport : IDisposable
{
    private readonly ConcurrentDictionary<(string Authority, RegistryDirection Direction), Lazy<Endpoint>> _endpoints = new();
    private readonly Func<HttpMessageHandler, HttpMessageHandler>? _wrap;
    private bool _disposed;

    public RegistryTransport(RegistryTransportOptions options)
        : this(options, wrap: null)
    {
    }

    /// <summary>Lets tests put an observing handler in front of every endpoint's pipeline.</summary>
    internal RegistryTransport(RegistryTransportOptions options, Func<HttpMessageHandler, HttpMessageHandler>? wrap)
    {
        Options = options;
        _wrap = wrap;
    }

    public RegistryTransportOptions Options { get; }

    /// <summary>The root of a registry's API (<c>https://registry-1.docker.io/</c>, <c>http://127.0.0.1:5000/</c>).</summary>
    public Uri BaseUri(string registry, RegistryDirection direction)
    {
        var scheme = Options.IsInsecure(registry, direction) ? Uri.UriSchemeHttp : Uri.UriSchemeHttps;
        return new Uri($"{scheme}://{ImageReference.ApiHostOf(registry)}/");
    }

    /// <summary>The handler pipeline (retry, then connection pool) for one endpoint.</summary>
    public HttpMessageHandler HandlerFor(Uri uri, RegistryDirection direction) => HandlerFor(uri.Authority, direction);

    /// <summary>The handler pipeline (retry, then connection pool) for one <c>host[:port]</c>.</summary>
    public HttpMessageHandler HandlerFor(string authority, RegistryDirection direction)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _endpoints.GetOrAdd((authority.ToLowerInvariant(), direction), key => new Lazy<Endpoint>(() => CreateEndpoint(key.Authority, key.Direction))).Value.Pipeline;
    }

    /// <summary>Why the last certificate of an endpoint was refused, if it was.</summary>
    internal string? TlsFailureFor(string authority, RegistryDirection direction) =>
        _endpoints.TryGetValue((authority.ToLowerInvariant(), direction), out var endpoint) && endpoint.IsValueCreated ? endpoint.Value.Policy.LastFailure : null;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var endpoint in _endpoints.Values.Where(e => e.IsValueCreated))
        {
            endpoint.Value.Pipeline.Dispose();
        }
    }

    private Endpoint CreateEndpoint(string authority, RegistryDirection direction)
    {
        var policy = new TlsPolicy(authority, Options, direction);
        var sockets = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 10,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.None,

            // Only the proxies the options name: never an ambient default the caller did not choose.
            UseProxy = Options.Proxy is not null,
            Proxy = Options.Proxy is null ? null : new SettingsWebProxy(Options.Proxy),
        };
        sockets.SslOptions.RemoteCertificateValidationCallback = policy.Validate;
        if (Options.ClientCertificateFor(authority) is { } client)
        {
            sockets.SslOptions.ClientCertificates = [LoadClientCertificate(authority, client)];
        }

        HttpMessageHandler pipeline = new RetryHandler(Options.RetriesFor(direction), Options.RetryDelay, Options.RequestTimeout) { InnerHandler = sockets };
        if (_wrap is not null)
        {
            pipeline = _wrap(pipeline);
        }

        return new Endpoint(pipeline, policy);
    }

    private static X509Certificate2 LoadClientCertificate(string authority, ClientCertificate client)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(client.CertificatePath, client.KeyPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            // The message names the files, never their content.
            throw new InvalidOperationException($"Cannot use the client certificate for {authority} ({client.CertificatePath} with key {client.KeyPath}): {e.Message}", e);
        }
    }

    private sealed record Endpoint(HttpMessageHandler Pipeline, TlsPolicy Policy);
}
