using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Drydock.Registry.Errors;
using Drydock.Registry.Transport;

namespace Drydock.Registry.Auth;

/// <summary>
/// Answers a registry's 401 challenges: Basic (sends the keychain's user and password) and Bearer
/// (gets a token from the challenge's realm for the request's scopes, with the credentials if any,
/// else anonymously). Tokens are cached per scope set until they expire, and once the registry's
/// scheme is known every later request is authorised up front, so uploads never meet a 401.
/// </summary>
public sealed class AuthenticationHandler : DelegatingHandler
{
    private const int MaxTokenReply = 1024 * 1024;
    private static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromSeconds(60);

    private readonly string _registry;
    private readonly IKeychain _keychain;
    private readonly Func<Uri, HttpMessageHandler> _tokenTransport;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _tokenLock = new(1, 1);
    private volatile AuthChallenge? _challenge;
    private Task<Credential?>? _credential;
    private int _tokensFetched;

    /// <param name="registry">The registry whose credentials to use (as the keychain knows it).</param>
    /// <param name="keychain">Where credentials come from.</param>
    /// <param name="tokenTransport">The handler for a token realm's host (it may differ from the registry's).</param>
    /// <param name="time">The clock for token expiry.</param>
    public AuthenticationHandler(string registry, IKeychain keychain, Func<Uri, HttpMessageHandler> tokenTransport, TimeProvider? time = null)
    {
        _registry = registry;
        _keychain = keychain;
        _tokenTransport = tokenTransport;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How many tokens were fetched from realms (to see caching work).</summary>
    public int TokensFetched => Volatile.Read(ref _tokensFetched);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var scopes = request.Options.TryGetValue(RegistryScope.RequestOption, out var s) ? s : [];
        var sent = await AuthorizeUpFrontAsync(request, scopes, cancellationToken).ConfigureAwait(false);
        var target = request.RequestUri;
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);

        // A redirect (blob storage, a CDN) leaves the request pointing at another host: a 401 from
        // there is that host's to settle, and the registry's credentials are not for it.
        if (response.StatusCode != HttpStatusCode.Unauthorized || !SameOrigin(request.RequestUri, target) || ChallengeOf(response) is not { } challenge)
        {
            return response;
        }

        _challenge = challenge;
        var credential = await CredentialAsync(cancellationToken).ConfigureAwait(false);
        AuthenticationHeaderValue? header = null;
        if (challenge.IsBasic && credential is { HasPassword: true } && sent?.Scheme != "Basic")
        {
            header = BasicHeader(credential);
        }
        else if (challenge.IsBearer)
        {
            // No token yet, or the one sent was refused (expired, or lacking a scope the challenge names).
            var token = await GetTokenAsync(challenge, scopes, challenge.Scopes, credential, sent?.Parameter, cancellationToken).ConfigureAwait(false);
            if (sent?.Parameter != token)
            {
                header = new AuthenticationHeaderValue("Bearer", token);
            }
        }

        // A streamed body is gone once sent: its caller starts again, and then the header goes up front.
        if (header is null || !RetryHandler.IsReplayable(request.Content))
        {
            return response;
        }

        response.Dispose();
        request.Headers.Authorization = header;
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AuthenticationHeaderValue?> AuthorizeUpFrontAsync(HttpRequestMessage request, IReadOnlyList<RegistryScope> scopes, CancellationToken cancellationToken)
    {
        var challenge = _challenge;
        if (challenge is null)
        {
            return null;
        }

        var credential = await CredentialAsync(cancellationToken).ConfigureAwait(false);
        AuthenticationHeaderValue? header = null;
        if (challenge.IsBasic && credential is { HasPassword: true })
        {
            header = BasicHeader(credential);
        }
        else if (challenge.IsBearer)
        {
            // The remembered challenge's own scope belonged to another request: only realm and service carry over.
            header = new AuthenticationHeaderValue("Bearer", await GetTokenAsync(challenge, scopes, [], credential, refusedToken: null, cancellationToken).ConfigureAwait(false));
        }

        request.Headers.Authorization = header;
        return header;
    }

    /// <summary>Asks the keychain once per handler; a lookup that failed or was cancelled is asked again next time.</summary>
    private Task<Credential?> CredentialAsync(CancellationToken cancellationToken)
    {
        var lookup = _credential;
        if (lookup is null || lookup.IsFaulted || lookup.IsCanceled)
        {
            lookup = _keychain.ResolveAsync(_registry, cancellationToken).AsTask();
            _credential = lookup;
        }

        return lookup;
    }

    private static bool SameOrigin(Uri? answered, Uri? asked) =>
        answered is not null && asked is not null &&
        Uri.Compare(answered, asked, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0;

    private static AuthenticationHeaderValue BasicHeader(Credential credential) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));

    private static AuthChallenge? ChallengeOf(HttpResponseMessage response)
    {
        if (!response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var values))
        {
            return null;
        }

        var challenges = values.SelectMany(AuthChallenge.ParseAll).ToArray();
        return challenges.FirstOrDefault(c => c.IsBearer) ?? challenges.FirstOrDefault(c => c.IsBasic);
    }

    /// <summary>
    /// A token for the scopes: the cached one unless it is the token the registry just refused
    /// (then a new one, which also covers the scopes the challenge named).
    /// </summary>
    private async Task<string> GetTokenAsync(AuthChallenge challenge, IReadOnlyList<RegistryScope> scopes, IReadOnlyList<string> challengeScopes, Credential? credential, string? refusedToken, CancellationToken cancellationToken)
    {
        if (credential?.RegistryToken is { } registryToken)
        {
            return registryToken;
        }

        var key = string.Join(' ', scopes.Select(s => s.ToString()).Order(StringComparer.Ordinal));
        if (TryCached(key) is { } cached && cached != refusedToken)
        {
            return cached;
        }

        await _tokenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another request may have fetched it while this one waited.
            if (TryCached(key) is { } fresh && fresh != refusedToken)
            {
                return fresh;
            }

            var wanted = scopes.Select(s => s.ToString()).Concat(challengeScopes).Distinct(StringComparer.Ordinal).ToArray();
            var (token, lifetime) = await FetchTokenAsync(challenge, wanted, credential, cancellationToken).ConfigureAwait(false);

            // Renew a little early so a token never expires between check and use.
            var margin = lifetime > TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(10) : lifetime / 4;
            _tokens[key] = new CachedToken(token, _time.GetUtcNow() + lifetime - margin);
            return token;
        }
        finally
        {
            _tokenLock.Release();
        }
    }

    private string? TryCached(string key) =>
        _tokens.TryGetValue(key, out var cached) && cached.ExpiresAt > _time.GetUtcNow() ? cached.Token : null;

    private async Task<(string Token, TimeSpan Lifetime)> FetchTokenAsync(AuthChallenge challenge, IReadOnlyList<string> scopes, Credential? credential, CancellationToken cancellationToken)
    {
        var operation = $"authenticating to {_registry}" + (scopes.Count > 0 ? $" for {string.Join(' ', scopes)}" : "");
        if (!Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm) || (realm.Scheme != Uri.UriSchemeHttps && realm.Scheme != Uri.UriSchemeHttp))
        {
            throw new RegistryException(operation, $"the registry asked for a bearer token but its realm '{challenge.Realm}' is not an http(s) URL");
        }

        operation += $" (token from {realm.GetLeftPart(UriPartial.Path)})";
        using var request = credential?.IdentityToken is { } refreshToken
            ? RefreshTokenRequest(realm, challenge.Service, scopes, refreshToken)
            : TokenRequest(realm, challenge.Service, scopes, credential);

        using var invoker = new HttpMessageInvoker(_tokenTransport(realm), disposeHandler: false);
        HttpResponseMessage response;
        try
        {
            response = await invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new RegistryException(operation, $"cannot reach the token service: {e.Message}", innerException: e, transient: RetryHandler.IsTransient(e));
        }

        if (!response.IsSuccessStatusCode)
        {
            var hint = response.StatusCode == HttpStatusCode.Unauthorized
                ? credential is null ? $"no credentials for {_registry} were found" : $"the credentials for {_registry} were rejected"
                : null;
            throw await ErrorReplies.ToExceptionAsync(response, operation, hint, cancellationToken).ConfigureAwait(false);
        }

        using (response)
        {
            var body = await ErrorReplies.ReadBoundedAsync(response, MaxTokenReply, cancellationToken).ConfigureAwait(false);
            TokenResponse? reply;
            try
            {
                reply = JsonSerializer.Deserialize(body, AuthJson.Default.TokenResponse);
            }
            catch (JsonException)
            {
                reply = null;
            }

            var token = !string.IsNullOrEmpty(reply?.Token) ? reply.Token : reply?.AccessToken;
            if (string.IsNullOrEmpty(token))
            {
                throw new RegistryException(operation, "the token service's reply holds no token");
            }

            Interlocked.Increment(ref _tokensFetched);
            var lifetime = reply!.ExpiresIn is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : DefaultTokenLifetime;
            return (token, lifetime);
        }
    }

    private static HttpRequestMessage TokenRequest(Uri realm, string? service, IReadOnlyList<string> scopes, Credential? credential)
    {
        var query = new StringBuilder(realm.Query.TrimStart('?'));
        if (!string.IsNullOrEmpty(service))
        {
            Append(query, "service", service);
        }

        foreach (var scope in scopes)
        {
            Append(query, "scope", scope);
        }

        var uri = new UriBuilder(realm) { Query = query.ToString() }.Uri;
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (credential is { HasPassword: true })
        {
            request.Headers.Authorization = BasicHeader(credential);
        }

        return request;
    }

    /// <summary>The OAuth2 refresh-token grant that an identity token from <c>docker login</c> calls for.</summary>
    private static HttpRequestMessage RefreshTokenRequest(Uri realm, string? service, IReadOnlyList<string> scopes, string refreshToken)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "refresh_token"),
            new("refresh_token", refreshToken),
            new("client_id", "drydock"),
        };
        if (!string.IsNullOrEmpty(service))
        {
            form.Add(new("service", service));
        }

        if (scopes.Count > 0)
        {
            form.Add(new("scope", string.Join(' ', scopes)));
        }

        return new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
    }

    private static void Append(StringBuilder query, string name, string value)
    {
        if (query.Length > 0)
        {
            query.Append('&');
        }

        query.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
    }

    private sealed record CachedToken(string Token, DateTimeOffset ExpiresAt);
}
