using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>One request to the token service, as a test wants to see it.</summary>
public sealed record TokenServiceRequest(string Method, string? GrantType, bool HadBasicCredentials, IReadOnlyList<string> Scopes);

/// <summary>
/// A token service for distribution's <c>auth: token</c> mode on 127.0.0.1, the way Docker Hub's
/// works: <c>GET /token?service=…&amp;scope=…</c> with Basic credentials, or the OAuth2
/// <c>POST /token</c> with a password or refresh-token grant. Tokens are ES256 JWTs whose
/// <c>x5c</c> header carries a self-signed certificate the registry trusts through its
/// <c>rootcertbundle</c>; they grant every requested action to the one user, nothing to anyone else,
/// except on repositories named <c>readonly-…</c>, where the user may only pull (as a CI job token
/// that can read another project's images but not push there).
/// </summary>
public sealed class TokenService : IDisposable
{
    public const string Issuer = "drydock-test-issuer";
    public const string Service = "drydock-test-registry";

    /// <summary>The prefix of the repositories the user may pull from but not push to.</summary>
    public const string ReadOnlyPrefix = "readonly-";

    private readonly HttpStubServer _server;
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _certificate;
    private readonly string _username;
    private readonly string _password;

    public TokenService(string username, string password, string certificatePath)
    {
        _username = username;
        _password = password;
        var request = new CertificateRequest("CN=Drydock Test Token Signer", _key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(3));
        _certificate = Convert.ToBase64String(certificate.RawData);
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        CertificatePath = certificatePath;
        _server = new HttpStubServer(AnswerAsync);
    }

    public int Port => _server.Port;

    /// <summary>The realm the registry sends clients to.</summary>
    public Uri Realm => new($"http://127.0.0.1:{Port}/token");

    /// <summary>The PEM certificate that signs tokens: the registry's <c>rootcertbundle</c>.</summary>
    public string CertificatePath { get; }

    /// <summary>The refresh token handed out by the password grant and accepted by the refresh-token grant.</summary>
    public string RefreshToken { get; } = "refresh-" + RandomNumberGenerator.GetHexString(16, lowercase: true);

    public int ExpiresIn { get; init; } = 300;

    public ConcurrentQueue<TokenServiceRequest> Requests { get; } = new();

    public void Dispose()
    {
        _server.Dispose();
        _key.Dispose();
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var request = context.Request;
        string? subject;
        IReadOnlyList<string> scopes;
        string? grantType = null;
        var basic = BasicCredentials(request);
        if (request.HttpMethod == "POST")
        {
            using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
            var form = ParseQuery(await reader.ReadToEndAsync());
            grantType = form.GetValueOrDefault("grant_type")?.FirstOrDefault();
            scopes = (form.GetValueOrDefault("scope")?.FirstOrDefault() ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            subject = grantType switch
            {
                "password" when form.GetValueOrDefault("username")?.FirstOrDefault() == _username && form.GetValueOrDefault("password")?.FirstOrDefault() == _password => _username,
                "refresh_token" when form.GetValueOrDefault("refresh_token")?.FirstOrDefault() == RefreshToken => _username,
                _ => null,
            };
        }
        else
        {
            scopes = ParseQuery(request.Url!.Query.TrimStart('?')).GetValueOrDefault("scope") ?? [];
            subject = basic is null ? "" : basic == (_username, _password) ? _username : null;
        }

        Requests.Enqueue(new TokenServiceRequest(request.HttpMethod, grantType, basic is not null, scopes));
        if (subject is null)
        {
            await ReplyAsync(context, HttpStatusCode.Unauthorized, new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["code"] = "UNAUTHORIZED", ["message"] = "invalid credentials" }) });
            return;
        }

        // Anonymous callers get a token that grants nothing, so the registry refuses them as Docker Hub refuses private repositories.
        var token = Sign(subject, subject.Length == 0 ? [] : scopes);
        var reply = new JsonObject { ["token"] = token, ["access_token"] = token, ["expires_in"] = ExpiresIn, ["issued_at"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) };
        if (grantType == "password")
        {
            reply["refresh_token"] = RefreshToken;
        }

        await ReplyAsync(context, HttpStatusCode.OK, reply);
    }

    private string Sign(string subject, IReadOnlyList<string> scopes)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var access = new JsonArray();
        foreach (var scope in scopes)
        {
            // type:name:actions, where the name may itself hold a colon (a registry with a port never appears, but be exact).
            var first = scope.IndexOf(':');
            var last = scope.LastIndexOf(':');
            if (first <= 0 || last <= first)
            {
                continue;
            }

            var name = scope[(first + 1)..last];
            var actions = scope[(last + 1)..].Split(',').Where(a => a == "pull" || !name.StartsWith(ReadOnlyPrefix, StringComparison.Ordinal));
            access.Add(new JsonObject
            {
                ["type"] = scope[..first],
                ["name"] = name,
                ["actions"] = new JsonArray(actions.Select(a => (JsonNode)a).ToArray()),
            });
        }

        var header = new JsonObject { ["typ"] = "JWT", ["alg"] = "ES256", ["x5c"] = new JsonArray(_certificate) };
        var claims = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = subject,
            ["aud"] = Service,
            ["exp"] = now + ExpiresIn,
            ["nbf"] = now - 10,
            ["iat"] = now,
            ["jti"] = RandomNumberGenerator.GetHexString(16, lowercase: true),
            ["access"] = access,
        };
        var signingInput = $"{Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()))}";

        // .NET signs ECDSA in IEEE P1363 form (r‖s), which is what JWS ES256 and distribution expect.
        return $"{signingInput}.{Base64Url(_key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256))}";
    }

    private static (string User, string Password)? BasicCredentials(HttpListenerRequest request)
    {
        var header = request.Headers["Authorization"];
        if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        var colon = text.IndexOf(':');
        return colon < 0 ? null : (text[..colon], text[(colon + 1)..]);
    }

    private static Dictionary<string, List<string>> ParseQuery(string query)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var name = Uri.UnescapeDataString((equals < 0 ? pair : pair[..equals]).Replace('+', ' '));
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            if (!result.TryGetValue(name, out var values))
            {
                result[name] = values = [];
            }

            values.Add(value);
        }

        return result;
    }

    private static Task ReplyAsync(HttpListenerContext context, HttpStatusCode status, JsonObject body) =>
        HttpStubServer.ReplyAsync(context, (int)status, body.ToJsonString(), "application/json");

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
