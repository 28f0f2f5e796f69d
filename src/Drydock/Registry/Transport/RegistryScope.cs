namespace Drydock.Registry.Transport;

/// <summary>
/// A token scope of the distribution spec: <c>repository:NAME:pull</c> or <c>repository:NAME:pull,push</c>.
/// </summary>
/// <remarks>
/// It travels with each request as <see cref="RequestOption"/>: the auth handler asks for a token
/// that covers it, and a mirror route rewrites its repository.
/// </remarks>
public sealed record RegistryScope(string Repository, string Actions)
{
    /// <summary>The request option that holds the scopes a request needs.</summary>
    public static readonly HttpRequestOptionsKey<IReadOnlyList<RegistryScope>> RequestOption = new("Drydock.Registry.Scopes");

    public static RegistryScope Pull(string repository) => new(repository, "pull");

    public static RegistryScope Push(string repository) => new(repository, "pull,push");

    public override string ToString() => $"repository:{Repository}:{Actions}";
}
