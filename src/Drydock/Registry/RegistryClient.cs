using System.Net;
using System.Text.Json;
using Drydock.Foundation.Streams;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry.Auth;
using Drydock.Registry.Errors;
using Drydock.Registry.Transport;

namespace Drydock.Registry;

/// <summary>
/// Talks the distribution API to one registry: manifests and blobs, pulled verified (through its
/// mirrors first, resumed after a dropped connection) and pushed with HEAD checks, cross-repository
/// mounts and monolithic or chunked uploads. Authentication, retries and timeouts happen in its
/// handler pipeline; every failure is one <see cref="RegistryException"/>.
/// </summary>
public sealed partial class RegistryClient : IDisposable
{
    private readonly RegistryTransport _transport;
    private readonly bool _ownsTransport;
    private readonly IKeychain _keychain;
    private readonly HttpClient _http;

    /// <summary>A client with its own connections, for one registry.</summary>
    /// <param name="direction">Which of the per-direction options apply (<c>--insecure-pull</c> or <c>--insecure</c>, …): a client that pushes says <see cref="RegistryDirection.Push"/>.</param>
    public RegistryClient(string registry, RegistryTransportOptions options, IKeychain keychain, RegistryDirection direction = RegistryDirection.Pull)
        : this(registry, new RegistryTransport(options), keychain, direction, ownsTransport: true)
    {
    }

    /// <summary>A client sharing a transport (connection pools, TLS settings) with others.</summary>
    public RegistryClient(string registry, RegistryTransport transport, IKeychain keychain, RegistryDirection direction = RegistryDirection.Pull)
        : this(registry, transport, keychain, direction, ownsTransport: false)
    {
    }

    private RegistryClient(string registry, RegistryTransport transport, IKeychain keychain, RegistryDirection direction, bool ownsTransport)
    {
        Registry = registry;
        Direction = direction;
        _transport = transport;
        _ownsTransport = ownsTransport;
        _keychain = keychain;
        BaseAddress = transport.BaseUri(registry, direction);
        HttpMessageHandler pipeline = Authenticated(registry, BaseAddress);
        var mirrors = direction == RegistryDirection.Pull ? transport.Options.MirrorsFor(registry) : [];
        if (mirrors.Count > 0)
        {
            var routes = mirrors.Select(m =>
            {
                var root = transport.BaseUri(m.Host, direction);
                return new MirrorRoute(m, root, Authenticated(m.Host, root));
            }).ToArray();
            pipeline = new MirrorHandler(routes, !transport.Options.SkipDefaultRegistryFallback) { InnerHandler = pipeline };
        }

        // The pipeline is not disposed with the client: disposing it would dispose the shared pools behind it.
        _http = new HttpClient(pipeline, disposeHandler: false) { BaseAddress = BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.TryParseAdd(transport.Options.UserAgent);
        _uploadRetry = UploadRetry(transport.Options);
    }

    /// <summary>The registry as references name it (<c>docker.io</c>, <c>127.0.0.1:5000</c>).</summary>
    public string Registry { get; }

    /// <summary>The API root requests go to (<c>https://registry-1.docker.io/</c>).</summary>
    public Uri BaseAddress { get; }

    public RegistryTransportOptions Options => _transport.Options;

    /// <summary>Whether this client's requests follow the pull or the push options.</summary>
    public RegistryDirection Direction { get; }

    public void Dispose()
    {
        _http.Dispose();
        if (_ownsTransport)
        {
            _transport.Dispose();
        }
    }

    /// <summary>
    /// Sends a request with the scopes it needs; the reply's body is left to the caller. Retries and
    /// the per-attempt timeout happen in the pipeline; what still fails becomes one exception.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string operation, IReadOnlyList<RegistryScope> scopes, CancellationToken cancellationToken)
    {
        request.Options.Set(RegistryScope.RequestOption, scopes);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            var authority = request.RequestUri?.IsAbsoluteUri == true ? request.RequestUri.Authority : BaseAddress.Authority;
            throw TransportFailure.ToException(e, operation, authority, _transport.TlsFailureFor(authority, Direction), Direction);
        }
        catch (TimeoutException e)
        {
            throw new RegistryException(operation, e.Message, innerException: e, transient: true);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string? hint = null;
        if (response.RequestMessage?.RequestUri is { IsAbsoluteUri: true } answered && answered.Authority != BaseAddress.Authority)
        {
            // A mirror or a redirect target answered: say who, and leave the registry's credentials out of it.
            hint = $"answered by {answered.Authority}";
        }
        else if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { IsAbsoluteUri: true } location)
        {
            // Redirects are followed, except from HTTPS down to plain HTTP. Only the host: a
            // pre-signed storage URL carries its signature in the query.
            hint = location.Scheme == Uri.UriSchemeHttp && response.RequestMessage?.RequestUri?.Scheme == Uri.UriSchemeHttps
                ? $"a redirect from HTTPS to plain HTTP ({location.Authority}) is not followed"
                : $"the redirect to {location.Authority} was not followed";
        }
        else if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            hint = await _keychain.ResolveAsync(Registry, cancellationToken).ConfigureAwait(false) is null
                ? $"no credentials for {Registry} were found"
                : $"the credentials for {Registry} were rejected";
        }

        throw await ErrorReplies.ToExceptionAsync(response, operation, hint, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a small reply body; one cut short, or stalled past the request timeout, is a transient failure.</summary>
    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, int limit, string operation, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.RequestTimeout);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while (buffer.Length < limit && (read = await stream.ReadAsync(chunk, timeout.Token).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new RegistryException(operation, $"the reply was cut short: {TransportFailure.Innermost(e).Message}", innerException: e, transient: true);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RegistryException(operation, $"the rest of the reply did not arrive within {Options.RequestTimeout.TotalSeconds:0.#} s", innerException: e, transient: true);
        }
    }

    /// <summary>A registry's auth handler (its own credentials and token cache) over the shared connection pool.</summary>
    private AuthenticationHandler Authenticated(string registry, Uri root) =>
        new(registry, _keychain, uri => _transport.HandlerFor(uri, Direction)) { InnerHandler = _transport.HandlerFor(root, Direction) };

    private void CheckRegistry(ImageReference reference)
    {
        if (!string.Equals(ImageReference.NormalizeRegistry(reference.Registry), ImageReference.NormalizeRegistry(Registry), StringComparison.Ordinal))
        {
            throw new ArgumentException($"{reference} is not in {Registry}, the registry of this client.", nameof(reference));
        }
    }
}
