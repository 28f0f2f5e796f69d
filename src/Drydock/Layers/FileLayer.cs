using Drydock.Oci;

namespace Drydock.Layers;

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
        Stream stream = new VerifyingStream(OpenFile(), Descriptor.Digest, Descriptor.Size, $"layer {Descriptor.Digest}");
        return Task.FromResult(stream);
    }

    /// <summary>Opens the tar inside the blob; reading it to the end verifies both the digest and the diffID.</summary>
    public async Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken)
    {
        var compressed = await OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
        var tar = LayerCompressionStreams.OpenDecompressing(compressed, MediaTypes.CompressionOf(Descriptor.MediaType), leaveOpen: false);
        return new VerifyingStream(tar, DiffId, -1, $"uncompressed layer {Descriptor.Digest}");
    }

    private FileStream OpenFile() => new(Path, new FileStreamOptions
    {
        Mode = FileMode.Open,
        Access = FileAccess.Read,
        Share = FileShare.Read,
        Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
    });
}
