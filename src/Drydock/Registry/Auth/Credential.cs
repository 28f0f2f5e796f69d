namespace Drydock.Registry.Auth;

/// <summary>
/// What a keychain knows for one registry: a user and password, an identity (OAuth2 refresh) token,
/// or a ready bearer token. <see cref="ToString"/> never prints a secret.
/// </summary>
public sealed record Credential
{
    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>An OAuth2 refresh token (config.json <c>identitytoken</c>), exchanged at the token realm.</summary>
    public string? IdentityToken { get; init; }

    /// <summary>A bearer token sent as is (config.json <c>registrytoken</c>).</summary>
    public string? RegistryToken { get; init; }

    public bool HasPassword => !string.IsNullOrEmpty(Username) && Password is not null;

    public static Credential Basic(string username, string password) => new() { Username = username, Password = password };

    public override string ToString() => $"Credential {{ Username = {Username} }}";
}
