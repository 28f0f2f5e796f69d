using System.Collections.Concurrent;
using Drydock.Reference;
using Drydock.Registry.Auth;
using Drydock.Registry.Transport;

namespace Drydock.Registry;

/// <summary>
/// One <see cref="RegistryClient"/> per registry and direction for a set of options and a keychain,
/// sharing one transport (connection pools) and each client's token cache for the whole run.
/// </summary>
public sealed class RegistryClientPool : IDisposable
{
    private readonly ConcurrentDictionary<(string Registry, RegistryDirection Direction), Lazy<RegistryClient>> _clients = new();
    private readonly RegistryTransport _transport;
    private readonly bool _ownsTransport;
    private readonly IKeychain _keychain;

    public RegistryClientPool(RegistryTransportOptions options, IKeychain keychain)
        : this(new RegistryTransport(options), keychain, ownsTransport: true)
    {
    }

    public RegistryClientPool(RegistryTransport transport, IKeychain keychain)
        : this(transport, keychain, ownsTransport: false)
    {
    }

    private RegistryClientPool(RegistryTransport transport, IKeychain keychain, bool ownsTransport)
    {
        _transport = transport;
        _keychain = keychain;
        _ownsTransport = ownsTransport;
    }

    /// <summary>The client that pulls from a registry.</summary>
    public RegistryClient For(string registry) => For(registry, RegistryDirection.Pull);

    /// <summary>The client that pulls from a reference's registry.</summary>
    public RegistryClient For(ImageReference reference) => For(reference.Registry, RegistryDirection.Pull);

    /// <summary>The client that pushes to a registry.</summary>
    public RegistryClient ForPush(string registry) => For(registry, RegistryDirection.Push);

    public RegistryClient For(string registry, RegistryDirection direction) =>
        _clients.GetOrAdd(
            (ImageReference.NormalizeRegistry(registry), direction),
            _ => new Lazy<RegistryClient>(() => new RegistryClient(registry, _transport, _keychain, direction))).Value;

    public void Dispose()
    {
        foreach (var client in _clients.Values.Where(c => c.IsValueCreated))
        {
            client.Value.Dispose();
        }

        if (_ownsTransport)
        {
            _transport.Dispose();
        }
    }
}
