using Drydock.Reference;

namespace Drydock.Registry.Auth;

/// <summary>Credentials given up front per registry (flags, environment, tests).</summary>
public sealed class StaticKeychain : IKeychain
{
    private readonly Dictionary<string, Credential> _credentials;

    public StaticKeychain(IEnumerable<KeyValuePair<string, Credential>> credentials)
    {
        _credentials = new Dictionary<string, Credential>(StringComparer.Ordinal);
        foreach (var (registry, credential) in credentials)
        {
            _credentials[DockerConfigKeychain.NormalizeKey(registry)] = credential;
        }
    }

    public StaticKeychain(string registry, Credential credential)
        : this([new KeyValuePair<string, Credential>(registry, credential)])
    {
    }

    public ValueTask<Credential?> ResolveAsync(string registry, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_credentials.GetValueOrDefault(ImageReference.NormalizeRegistry(registry)));
}
