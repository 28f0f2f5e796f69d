namespace Drydock.Registry.Auth;

/// <summary>Where credentials come from, asked once per registry (<c>docker.io</c>, <c>127.0.0.1:5000</c>).</summary>
public interface IKeychain
{
    /// <summary>The credential for a registry, or null to go anonymous.</summary>
    ValueTask<Credential?> ResolveAsync(string registry, CancellationToken cancellationToken);
}
