using System.Collections.Concurrent;
using System.Net.Http;
using Drydock.Reference;

namespace Drydock.Registry.Transport;

/// <summary>
/// The connection side of talking to registries: for each endpoint (<c>host:port</c>) one pooled
/// <see cref="SocketsHttpHandler"/> whose certificate check applies that host's TLS options, behind a
/// <see cref="RetryHandler"/>. Share one transport between clients so they share connections.
/// </summary>
public sealed class RegistryTransport : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Endpoint>> _endpoints = new(StringComparer.OrdinalIgnoreCase);
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
    public Uri BaseUri(string registry)
    {
        var scheme = Options.IsInsecure(registry) ? Uri.UriSchemeHttp : Uri.UriSchemeHttps;
        return new Uri($"{scheme}://{ImageReference.ApiHostOf(registry)}/");
    }

    /// <summary>The handler pipeline (retry, then connection pool) for one endpoint.</summary>
    public HttpMessageHandler HandlerFor(Uri uri) => HandlerFor(uri.Authority);

    /// <summary>The handler pipeline (retry, then connection pool) for one <c>host[:port]</c>.</summary>
    public HttpMessageHandler HandlerFor(string authority)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _endpoints.GetOrAdd(authority, a => new Lazy<Endpoint>(() => CreateEndpoint(a))).Value.Pipeline;
    }

    /// <summary>Why the last certificate of an endpoint was refused, if it was.</summary>
    internal string? TlsFailureFor(string authority) =>
        _endpoints.TryGetValue(authority, out var endpoint) && endpoint.IsValueCreated ? endpoint.Value.Policy.LastFailure : null;

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

    private Endpoint CreateEndpoint(string authority)
    {
        var policy = new TlsPolicy(authority, Options);
        var sockets = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 10,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        sockets.SslOptions.RemoteCertificateValidationCallback = policy.Validate;
        HttpMessageHandler pipeline = new RetryHandler(Options.MaxRetries, Options.RetryDelay) { InnerHandler = sockets };
        if (_wrap is not null)
        {
            pipeline = _wrap(pipeline);
        }

        return new Endpoint(pipeline, policy);
    }

    private sealed record Endpoint(HttpMessageHandler Pipeline, TlsPolicy Policy);
}
