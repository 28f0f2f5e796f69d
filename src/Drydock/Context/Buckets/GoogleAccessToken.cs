using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Drydock.Context.Buckets;

/// <summary>
/// An OAuth access token from Google's application default credentials, looked up in ADC's order:
/// the JSON file named by <c>GOOGLE_APPLICATION_CREDENTIALS</c>, then gcloud's
/// <c>application_default_credentials.json</c>, then the metadata server of GCE, GKE or Cloud Run.
/// Service-account keys and gcloud user credentials are understood; other kinds are refused by name.
/// </summary>
/// <remarks>
/// Ours rather than Google.Apis.Auth: that package parses with Newtonsoft.Json by reflection, which
/// Native AOT cannot promise to keep working (it warns IL2104/IL3053); this reads JSON with
/// System.Text.Json's DOM and signs with the BCL's RSA.
/// </remarks>
internal static class GoogleAccessToken
{
    public const string CredentialsVariable = "GOOGLE_APPLICATION_CREDENTIALS";
    private const string ReadOnlyScope = "https://www.googleapis.com/auth/devstorage.read_only";
    private const string DefaultTokenUri = "https://oauth2.googleapis.com/token";

    /// <summary>Gets a token to read storage with.</summary>
    /// <exception cref="BucketDownloadException">No credentials were found, or they were refused.</exception>
    public static async Task<string> GetAsync(HttpClient http, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        if (EnvironmentValues.Get(environment, CredentialsVariable) is { } file)
        {
            return await FromFileAsync(http, file, $"{CredentialsVariable} ({file})", cancellationToken).ConfigureAwait(false);
        }

        var gcloudConfig = EnvironmentValues.Get(environment, "CLOUDSDK_CONFIG")
            ?? (EnvironmentValues.Get(environment, "HOME") is { } home ? Path.Combine(home, ".config", "gcloud") : null);
        var wellKnown = gcloudConfig is null ? null : Path.Combine(gcloudConfig, "application_default_credentials.json");
        if (wellKnown is not null && File.Exists(wellKnown))
        {
            return await FromFileAsync(http, wellKnown, $"gcloud's application default credentials ({wellKnown})", cancellationToken).ConfigureAwait(false);
        }

        return await FromMetadataServerAsync(http, EnvironmentValues.Get(environment, "GCE_METADATA_HOST") ?? "metadata.google.internal", cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string> FromFileAsync(HttpClient http, string path, string source, CancellationToken cancellationToken)
    {
        JsonElement json;
        try
        {
            await using var stream = File.OpenRead(path);
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            json = document.RootElement.Clone();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new BucketDownloadException($"cannot read {source}: {e.Message}; point {CredentialsVariable} at a service account key file", e);
        }

        var type = Text(json, "type");
        Dictionary<string, string> form;
        string tokenUri;
        switch (type)
        {
            case "service_account":
                tokenUri = Text(json, "token_uri") ?? DefaultTokenUri;
                form = new()
                {
                    ["grant_type"] = "urn:ietf:params:oauth:grant-type:jwt-bearer",
                    ["assertion"] = SignedAssertion(json, tokenUri, source),
                };
                break;
            case "authorized_user":
                tokenUri = Text(json, "token_uri") ?? DefaultTokenUri;
                form = new()
                {
                    ["grant_type"] = "refresh_token",
                    ["client_id"] = Text(json, "client_id") ?? "",
                    ["client_secret"] = Text(json, "client_secret") ?? "",
                    ["refresh_token"] = Text(json, "refresh_token") ?? "",
                };
                break;
            default:
                throw new BucketDownloadException(
                    $"{source} holds credentials of type \"{type}\", which Drydock cannot use; give a service account key (type service_account) or gcloud user credentials (authorized_user)");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUri) { Content = new FormUrlEncodedContent(form) };
        try
        {
            return await RequestTokenAsync(http, request, $"the token endpoint {tokenUri}", $"check {source}", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not BucketDownloadException && NetworkFailure.IsUnreachable(e, cancellationToken))
        {
            throw new BucketDownloadException($"cannot reach the token endpoint {tokenUri}: {NetworkFailure.Describe(e)}; check the network and the token_uri of {source}", e);
        }
    }

    private static async Task<string> FromMetadataServerAsync(HttpClient http, string host, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{host}/computeMetadata/v1/instance/service-accounts/default/token?scopes={ReadOnlyScope}");
        request.Headers.Add("Metadata-Flavor", "Google");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            return await RequestTokenAsync(http, request, "the metadata server", "check the workload's service account", timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (NetworkFailure.IsUnreachable(e, cancellationToken))
        {
            throw new BucketDownloadException(
                $"no Google credentials found ({CredentialsVariable} is unset, gcloud has no application default credentials, no metadata server answers); set {CredentialsVariable} to a service account key file", e);
        }
    }

    private static async Task<string> RequestTokenAsync(HttpClient http, HttpRequestMessage request, string issuer, string fix, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? token = null;
        string? error = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            token = Text(document.RootElement, "access_token");
            error = Text(document.RootElement, "error");
            if (Text(document.RootElement, "error_description") is { } description)
            {
                error += ": " + description;
            }
        }
        catch (JsonException)
        {
        }

        if (!response.IsSuccessStatusCode || token is null)
        {
            throw new BucketDownloadException($"{issuer} refused the credentials ({(int)response.StatusCode} {error ?? response.ReasonPhrase}); {fix}");
        }

        return token;
    }

    /// <summary>The JWT a service account signs to ask for a token (RFC 7523).</summary>
    private static string SignedAssertion(JsonElement key, string audience, string source)
    {
        var email = Text(key, "client_email");
        var pem = Text(key, "private_key");
        if (email is null || pem is null)
        {
            throw new BucketDownloadException($"{source} lacks client_email or private_key; download a new key of the service account");
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = JsonObject(w =>
        {
            w.WriteString("alg", "RS256");
            w.WriteString("typ", "JWT");
            if (Text(key, "private_key_id") is { } id)
            {
                w.WriteString("kid", id);
            }
        });
        var claims = JsonObject(w =>
        {
            w.WriteString("iss", email);
            w.WriteString("scope", ReadOnlyScope);
            w.WriteString("aud", audience);
            w.WriteNumber("iat", now);
            w.WriteNumber("exp", now + 3600);
        });
        var signingInput = Base64Url(header) + "." + Base64Url(claims);
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
        }
        catch (ArgumentException e)
        {
            throw new BucketDownloadException($"the private_key of {source} is not a PEM RSA key; download a new key of the service account", e);
        }

        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static string? Text(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[] JsonObject(Action<Utf8JsonWriter> writeProperties)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
