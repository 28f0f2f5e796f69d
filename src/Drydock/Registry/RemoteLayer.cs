using Drydock.Oci;

namespace Drydock.Registry;

/// <summary>A layer whose blob lives in a registry repository; nothing is fetched until it is opened.</summary>
public sealed class RemoteLayer : ILayer
{
    private readonly RegistryClient _client;

    public RemoteLayer(RegistryClient client, string repository, Descriptor descriptor, Digest diffId)
    {
        _client = client;
        Repository = repository;
        Descriptor = descriptor;
        DiffId = diffId;
    }

    public Descriptor Descriptor { get; }

    public Digest DiffId { get; }

    /// <summary>The registry the blob is in, so a push there can mount it instead of uploading.</summary>
    public string Registry => _client.Registry;

    public string Repository { get; }

    public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) =>
        _client.OpenBlobAsync(Repository, Descriptor, cancellationToken);
}
