namespace Drydock.Registry.Auth;

/// <summary>A token scope of the distribution spec: <c>repository:NAME:pull</c> or <c>repository:NAME:pull,push</c>.</summary>
public sealed record RegistryScope(string Repository, string Actions)
{
    public static RegistryScope Pull(string repository) => new(repository, "pull");

    public static RegistryScope Push(string repository) => new(repository, "pull,push");

    public override string ToString() => $"repository:{Repository}:{Actions}";
}
