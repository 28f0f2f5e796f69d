using Drydock.Oci;

namespace Drydock.Registry;

/// <summary>
/// A layer whose blob lives in a registry repository; nothing is fetched until it is opened. It
/// may name a local copy: once a build has downloaded the blob there (to unpack it), opening reads
/// the copy instead of the registry, while a push to the same registry can still mount the blob.
/// </summary>
public sealed class RemoteLayer : ILayer
{
    private readonly RegistryClient _client;

    public RemoteLayer(RegistryClient client, string repository, Descriptor descriptor, Digest diffId, string? localCopy = null)
    {
        _client = client;
        Repository = repository;
        Descriptor = descriptor;
        DiffId = diffId;
        LocalCopy = localCopy;
    }

    public Descriptor Descriptor { get; }

    public Digest DiffId { get; }

    /// <summary>The registry the blob is in, so a push there can mount it instead of uploading.</summary>
    public string Registry => _client.Registry;

    public string Repository { get; }

    /// <summary>Where the blob is kept once downloaded, or null.</summary>
    public string? LocalCopy { get; }

    /// <summary>The same layer, read from <paramref name="path"/> once a download has put the blob there.</summary>
    public RemoteLayer WithLocalCopy(string path) => new(_client, Repository, Descriptor, DiffId, path);

    /// <summary>Opens the blob in the registry, whether or not a local copy exists: what fills the copy.</summary>
    public Task<Stream> OpenRemoteAsync(CancellationToken cancellationToken) => _client.OpenBlobAsync(Repository, Descriptor, cancellationToken);

    public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) =>
        LocalCopy is { } path && File.Exists(path)
            ? Task.FromResult<Stream>(new VerifyingStream(BlobDirectory.OpenRead(path), Descriptor.Digest, Descriptor.Size, $"layer {Descriptor.Digest}"))
            : OpenRemoteAsync(cancellationToken);
}
