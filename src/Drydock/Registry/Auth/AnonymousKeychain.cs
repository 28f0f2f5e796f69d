namespace Drydock.Registry.Auth;

/// <summary>Knows no credentials: every registry is used anonymously.</summary>
public sealed class AnonymousKeychain : IKeychain
{
    public static AnonymousKeychain Instance { get; } = new();

    public ValueTask<Credential?> ResolveAsync(string registry, CancellationToken cancellationToken) => ValueTask.FromResult<Credential?>(null);
}
