using System.Collections.Concurrent;
using System.Net.Http;
using Drydock.Registry.Errors;

namespace Drydock.Registry.Transport;

/// <summary>One mirror as <see cref="MirrorHandler"/> reaches it: its API root and its own pipeline (auth, retries, TLS).</summary>
public sealed record MirrorRoute(RegistryMirror Mirror, Uri BaseUri, HttpMessageHandler Handler);

/// <summary>
/// Sends a registry's reads (GET and HEAD under <c>/v2/</c>) to its mirrors first, in order, as
/// kaniko's <c>--registry-mirror</c> and <c>--registry-map</c> do: a mirror that answers with an
/// error passes the request on to the next, one that cannot be reached (or does not answer in time)
/// is left out for the rest of the run, and the registry itself answers last unless fallback is off. Content is verified by
/// digest above this handler, so a mirror can be trusted as little as the registry.
/// </summary>
public sealed class MirrorHandler : DelegatingHandler
{
    private readonly IReadOnlyList<(MirrorRoute Route, HttpMessageInvoker Invoker)> _routes;
    private readonly bool _fallBackToRegistry;
    private readonly ConcurrentDictionary<RegistryMirror, RegistryException> _unreachable = new();

    public MirrorHandler(IReadOnlyList<MirrorRoute> routes, bool fallBackToRegistry)
    {
        _routes = routes.Select(route => (route, new HttpMessageInvoker(route.Handler, disposeHandler: false))).ToArray();
        _fallBackToRegistry = fallBackToRegistry;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if ((request.Method != HttpMethod.Get && request.Method != HttpMethod.Head) ||
            request.RequestUri is not { IsAbsoluteUri: true } uri || !uri.AbsolutePath.StartsWith("/v2/", StringComparison.Ordinal))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        HttpResponseMessage? refusal = null;
        RegistryException? failure = null;
        foreach (var (route, invoker) in _routes)
        {
            if (_unreachable.TryGetValue(route.Mirror, out var known))
            {
                failure = known;
                continue;
            }

            try
            {
                var response = await invoker.SendAsync(Rewrite(request, uri, route), cancellationToken).ConfigureAwait(false);
                refusal?.Dispose();
                if (response.IsSuccessStatusCode)
                {
                    return response;
                }

                refusal = response;
            }
            catch (HttpRequestException e)
            {
                failure = TransportFailure.ToException(e, $"pulling from the mirror {route.Mirror}", route.BaseUri.Authority, tlsFailure: null, RegistryDirection.Pull);
                _unreachable[route.Mirror] = failure;
            }
            catch (TimeoutException e)
            {
                failure = new RegistryException($"pulling from the mirror {route.Mirror}", e.Message, innerException: e, transient: true);
                _unreachable[route.Mirror] = failure;
            }
            catch (RegistryException e)
            {
                // The mirror's token service refused or failed: the next source may still serve.
                failure = e;
            }
        }

        if (_fallBackToRegistry)
        {
            refusal?.Dispose();
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        if (refusal is not null)
        {
            return refusal;
        }

        throw failure ?? new RegistryException($"pulling {uri.AbsolutePath}", "no mirror is configured and fallback to the registry is off");
    }

    /// <summary>The same read against a mirror: its host, the repository under its prefix, the scopes to match.</summary>
    private static HttpRequestMessage Rewrite(HttpRequestMessage request, Uri uri, MirrorRoute route)
    {
        var rest = uri.AbsolutePath["/v2/".Length..];
        var path = route.Mirror.PathPrefix is null ? rest : $"{route.Mirror.PathPrefix}/{rest}";
        var mirrored = new HttpRequestMessage(request.Method, new Uri(route.BaseUri, "v2/" + path + uri.Query)) { Version = request.Version };
        foreach (var header in request.Headers.NonValidated)
        {
            mirrored.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (request.Options.TryGetValue(RegistryScope.RequestOption, out var scopes))
        {
            mirrored.Options.Set(RegistryScope.RequestOption, scopes.Select(s => s with { Repository = route.Mirror.RepositoryFor(s.Repository) }).ToArray());
        }

        return mirrored;
    }
}
