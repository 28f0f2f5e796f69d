namespace Drydock.Oci;

/// <summary>A layer whose compressed blob is a file (in the work directory or a blob folder).</summary>
public sealed class FileLayer : ILayer
{
    public FileLayer(string path, Descriptor descriptor, Digest diffId)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        Path = path;
        Descriptor = descriptor;
        DiffId = diffId;
    }

    public string Path { get; }

    public Descriptor Descriptor { get; }

    public Digest DiffId { get; }

    public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Stream stream = new VerifyingStream(BlobDirectory.OpenRead(Path), Descriptor.Digest, Descriptor.Size, $"layer {Descriptor.Digest}");
        return Task.FromResult(stream);
    }
}
