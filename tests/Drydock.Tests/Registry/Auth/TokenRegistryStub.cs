using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Drydock.Tests.Registry.Auth;

/// <summary>
/// A tiny registry with a token service on loopback (HttpListener), as Docker Hub works: /v2/
/// answers 401 with a Bearer challenge until a token granting the right scope is sent; /token
/// issues tokens, checking Basic credentials or an OAuth2 refresh token when told to.
/// </summary>
internal sealed class TokenRegistryStub : IDisposable
{
    public const string Service = "stub-registry";
    public const string Manifest = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}""";

    private readonly ConcurrentDictionary<string, string> _grants = new();
    private readonly HttpStubServer _server;
    private int _tokenCounter;

    public TokenRegistryStub()
    {
        _server = new HttpStubServer(context => context.Request.Url!.AbsolutePath == "/token" ? IssueTokenAsync(context) : ServeRegistryAsync(context));
    }

    public int Port => _server.Port;

    public string Host => _server.Host;

    /// <summary>When set, /token demands these Basic credentials (or a refresh token) and refuses others.</summary>
    public (string User, string Password)? RequiredCredentials { get; init; }

    /// <summary>The refresh token /token accepts in the OAuth2 POST grant.</summary>
    public string? AcceptedRefreshToken { get; init; }

    /// <summary>Answer with <c>access_token</c> instead of <c>token</c>.</summary>
    public bool UseAccessTokenField { get; init; }

    public int ExpiresIn { get; init; } = 300;

    /// <summary>Every token request: method, scopes, whether it carried Basic credentials, form body.</summary>
    public ConcurrentQueue<TokenRequest> TokenRequests { get; } = new();

    /// <summary>Every Authorization header the registry endpoints saw.</summary>
    public ConcurrentQueue<string?> RegistryAuthorizations { get; } = new();

    /// <summary>Forgets every token issued, as a token service does on revocation or restart.</summary>
    public void RevokeAll() => _grants.Clear();

    public void Dispose() => _server.Dispose();

    private async Task IssueTokenAsync(HttpListenerContext context)
    {
        var request = context.Request;
        string[] scopes;
        string? form = null;
        if (request.HttpMethod == "POST")
        {
            using var reader = new StreamReader(request.InputStream);
            form = await reader.ReadToEndAsync();
            var fields = form.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1].Replace('+', ' ')));
            scopes = fields.GetValueOrDefault("scope", "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.GetValueOrDefault("grant_type") != "refresh_token" || fields.GetValueOrDefault("refresh_token") != AcceptedRefreshToken)
            {
                await Reply(context, 401, """{"errors":[{"code":"UNAUTHORIZED","message":"invalid refresh token"}]}""");
                return;
            }
        }
        else
        {
            scopes = request.QueryString.GetValues("scope") ?? [];
        }

        var authorization = request.Headers["Authorization"];
        TokenRequests.Enqueue(new TokenRequest(request.HttpMethod, request.QueryString["service"] ?? "", scopes, authorization, form));
        if (request.HttpMethod == "GET" && RequiredCredentials is { } required)
        {
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{required.User}:{required.Password}"));
            if (authorization != expected)
            {
                await Reply(context, 401, """{"errors":[{"code":"UNAUTHORIZED","message":"incorrect username or password"}]}""");
                return;
            }
        }

        var token = $"token-{Interlocked.Increment(ref _tokenCounter)}";
        _grants[token] = string.Join(' ', scopes);
        var field = UseAccessTokenField ? "access_token" : "token";
        await Reply(context, 200, $$"""{"{{field}}":"{{token}}","expires_in":{{ExpiresIn}}}""");
    }

    private async Task ServeRegistryAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var authorization = request.Headers["Authorization"];
        RegistryAuthorizations.Enqueue(authorization);
        var path = request.Url!.AbsolutePath;
        var repository = RepositoryOf(path);
        var action = request.HttpMethod is "GET" or "HEAD" ? "pull" : "push";
        var needed = repository is null ? null : $"repository:{repository}:{(action == "pull" ? "pull" : "pull,push")}";
        var granted = authorization is ['B', 'e', 'a', 'r', 'e', 'r', ' ', .. var token] && _grants.TryGetValue(token, out var scopes) ? scopes : null;
        if (granted is null || (needed is not null && !Grants(granted, repository!, action)))
        {
            var scope = needed is null ? "" : $",scope=\"{needed}\"";
            context.Response.AddHeader("WWW-Authenticate", $"Bearer realm=\"http://127.0.0.1:{Port}/token\",service=\"{Service}\"{scope}");
            await Reply(context, 401, """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""");
            return;
        }

        if (path.Contains("/manifests/", StringComparison.Ordinal) && request.HttpMethod == "GET")
        {
            context.Response.ContentType = "application/vnd.oci.image.manifest.v1+json";
            await Reply(context, 200, Manifest);
            return;
        }

        await Reply(context, path == "/v2/" ? 200 : 404, path == "/v2/" ? "{}" : """{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}""");
    }

    private static bool Grants(string granted, string repository, string action) =>
        granted.Split(' ').Any(s => s.StartsWith($"repository:{repository}:", StringComparison.Ordinal) && s[(s.LastIndexOf(':') + 1)..].Split(',').Contains(action));

    private static string? RepositoryOf(string path)
    {
        foreach (var marker in new[] { "/manifests/", "/blobs/", "/tags/" })
        {
            var at = path.IndexOf(marker, StringComparison.Ordinal);
            if (at > 4)
            {
                return path[4..at];
            }
        }

        return null;
    }

    private static Task Reply(HttpListenerContext context, int status, string body) => HttpStubServer.ReplyAsync(context, status, body);

    internal sealed record TokenRequest(string Method, string Service, IReadOnlyList<string> Scopes, string? Authorization, string? Form);
}
