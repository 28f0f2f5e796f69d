using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>
/// Google Cloud Storage's JSON API as far as a bucket context uses it, on 127.0.0.1: the media
/// download (<c>GET /storage/v1/b/BUCKET/o/OBJECT?alt=media</c>, a JSON 404 for anything else), and
/// an OAuth token endpoint (<c>POST /token</c>) that accepts a service account's JWT only when it is
/// signed with this server's key. Ours because the emulator of firebase-tools cannot run offline
/// (see README: it fetches a Java rules runtime from Google at start and needs Java 21).
/// </summary>
public sealed class GcsJsonApiServer : IDisposable
{
    private readonly ConcurrentDictionary<string, byte[]> _objects = new();
    private readonly RSA _serviceAccountKey = RSA.Create(2048);
    private readonly HttpStubServer _http;

    public GcsJsonApiServer()
    {
        _http = new HttpStubServer(ServeAsync);
    }

    /// <summary>What <c>STORAGE_EMULATOR_HOST</c> says to reach this server: <c>127.0.0.1:PORT</c>.</summary>
    public string EmulatorHost => _http.Host;

    /// <summary>Stores an object.</summary>
    public void Put(string bucket, string name, byte[] content) => _objects[$"{bucket}/{name}"] = content;

    /// <summary>
    /// Writes a service account key file whose token_uri is this server, signed with this server's
    /// key, or with another when <paramref name="wrongKey"/> (a revoked or mistyped key).
    /// </summary>
    public string WriteServiceAccountKey(string directory, bool wrongKey = false)
    {
        using var other = RSA.Create(2048);
        var key = new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = "drydock-test",
            ["private_key_id"] = "test-key",
            ["private_key"] = (wrongKey ? other : _serviceAccountKey).ExportPkcs8PrivateKeyPem(),
            ["client_email"] = "builder@drydock-test.iam.gserviceaccount.com",
            ["token_uri"] = new Uri(_http.BaseUri, "token").ToString(),
        };
        var path = Path.Combine(directory, "service-account.json");
        File.WriteAllText(path, key.ToJsonString());
        return path;
    }

    public void Dispose()
    {
        _http.Dispose();
        _serviceAccountKey.Dispose();
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var path = request.Url!.AbsolutePath;
        const string prefix = "/storage/v1/b/";
        if (request.HttpMethod == "POST" && path == "/token")
        {
            using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
            var form = (await reader.ReadToEndAsync()).Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
            await (Verifies(form.GetValueOrDefault("assertion"))
                ? HttpStubServer.ReplyAsync(context, 200, """{"access_token":"test-token","expires_in":3600,"token_type":"Bearer"}""", "application/json")
                : HttpStubServer.ReplyAsync(context, 400, """{"error":"invalid_grant","error_description":"Invalid JWT Signature."}""", "application/json"));
            return;
        }

        var parts = path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..].Split("/o/", 2) : [];
        if (request.HttpMethod == "GET" && request.QueryString["alt"] == "media" && parts.Length == 2
            && _objects.TryGetValue($"{Uri.UnescapeDataString(parts[0])}/{Uri.UnescapeDataString(parts[1])}", out var content))
        {
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength64 = content.Length;
            await context.Response.OutputStream.WriteAsync(content);
            return;
        }

        await HttpStubServer.ReplyAsync(context, 404, """{"error":{"code":404,"message":"No such object."}}""", "application/json");
    }

    /// <summary>Whether a JWT's RS256 signature verifies with the service account's public key.</summary>
    private bool Verifies(string? jwt)
    {
        var parts = jwt?.Split('.');
        if (parts is not { Length: 3 })
        {
            return false;
        }

        try
        {
            var header = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0])).RootElement;
            return header.GetProperty("alg").GetString() == "RS256" &&
                _serviceAccountKey.VerifyData(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException)
        {
            return false;
        }
    }
}
