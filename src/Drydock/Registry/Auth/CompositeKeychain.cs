namespace Drydock.Registry.Auth;

/// <summary>Asks several keychains in order; the first that knows the registry answers.</summary>
public sealed class CompositeKeychain(params IReadOnlyList<IKeychain> keychains) : IKeychain
{
    public async ValueTask<Credential?> ResolveAsync(string registry, CancellationToken cancellationToken)
    {
        foreach (var keychain in keychains)
        {
            if (await keychain.ResolveAsync(registry, cancellationToken).ConfigureAwait(false) is { } credential)
            {
                return credential;
            }
        }

        return null;
    }
}
