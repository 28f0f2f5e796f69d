using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drydock.Registry.Auth;

/// <summary>The parts of a Docker <c>config.json</c> that concern registries.</summary>
internal sealed record DockerConfigFile
{
    [JsonPropertyName("auths")]
    public Dictionary<string, DockerAuthEntry?>? Auths { get; init; }

    [JsonPropertyName("credsStore")]
    public string? CredsStore { get; init; }

    [JsonPropertyName("credHelpers")]
    public Dictionary<string, string>? CredHelpers { get; init; }

    /// <summary>Parses a config file; the message of a failure names the file but never its content.</summary>
    public static DockerConfigFile Parse(ReadOnlySpan<byte> json, string path)
    {
        try
        {
            return JsonSerializer.Deserialize(json, AuthJson.Default.DockerConfigFile) ?? new DockerConfigFile();
        }
        catch (JsonException e)
        {
            // JsonException messages quote positions, not values, so they are safe to show.
            throw new InvalidDataException($"{path} is not a valid Docker config file (line {e.LineNumber + 1}): it must be a JSON object with an \"auths\" map.", e);
        }
    }
}

/// <summary>One <c>auths</c> entry of a Docker <c>config.json</c>.</summary>
internal sealed record DockerAuthEntry
{
    [JsonPropertyName("auth")]
    public string? Auth { get; init; }

    [JsonPropertyName("username")]
    public string? Username { get; init; }

    [JsonPropertyName("password")]
    public string? Password { get; init; }

    [JsonPropertyName("identitytoken")]
    public string? IdentityToken { get; init; }

    [JsonPropertyName("registrytoken")]
    public string? RegistryToken { get; init; }
}

/// <summary>A token endpoint's reply; registries use either <c>token</c> or <c>access_token</c>.</summary>
internal sealed record TokenResponse
{
    [JsonPropertyName("token")]
    public string? Token { get; init; }

    [JsonPropertyName("access_token")]
    public string? AccessToken { get; init; }

    [JsonPropertyName("expires_in")]
    public int? ExpiresIn { get; init; }

    [JsonPropertyName("issued_at")]
    public DateTimeOffset? IssuedAt { get; init; }
}

/// <summary>What <c>docker-credential-NAME get</c> prints.</summary>
internal sealed record CredentialHelperReply
{
    [JsonPropertyName("Username")]
    public string? Username { get; init; }

    [JsonPropertyName("Secret")]
    public string? Secret { get; init; }
}

/// <summary>
/// Source-generated JSON for auth documents. Case-insensitive like Go's encoding/json, which is
/// what wrote most config.json files and what token services are tested against.
/// </summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(DockerConfigFile))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(CredentialHelperReply))]
internal sealed partial class AuthJson : JsonSerializerContext;
