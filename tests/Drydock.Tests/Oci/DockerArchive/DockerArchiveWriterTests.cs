using System.Security.Cryptography;
using Drydock.Oci;
using Drydock.Oci.DockerArchive;

namespace Drydock.Tests.Oci.DockerArchive;

public sealed class DockerArchiveWriterTests : IDisposable
{
    private readonly TempDirectory _directory = new("drydock-archive-writer-");

    public void Dispose() => _directory.Dispose();

    /// <summary>
    /// A 48 MiB layer goes into the tarball streamed: the tar writer is told its size, so it does
    /// not copy it into memory to measure it (as it does with a stream that cannot seek).
    /// </summary>
    [Fact]
    public async Task A_large_layer_is_streamed_into_the_tarball_not_held_in_memory()
    {
        var blob = _directory.Combine("layer.tar.gz");
        var bytes = RandomNumberGenerator.GetBytes(48 << 20);
        await File.WriteAllBytesAsync(blob, bytes);
        var layer = new FileLayer(blob, new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = Digest.Sha256(bytes), Size = bytes.Length }, Digest.Sha256("tar"u8));
        var image = Image.Create(new ImageConfig(), [layer], dockerMediaTypes: false);
        bytes = [];

        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        await DockerArchiveWriter.WriteAsync(image, _directory.Combine("image.tar"), ["example/app:1"], CancellationToken.None);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;

        Assert.True(allocated < 8 << 20, $"writing the tarball allocated {allocated >> 20} MiB");
        var read = await DockerArchiveReader.ReadAsync(_directory.Combine("image.tar"), "example/app:1", CancellationToken.None);
        await using var stream = await read.Layers.Single().OpenCompressedAsync(CancellationToken.None);
        await stream.CopyToAsync(Stream.Null);
        Assert.Equal(image.ManifestDigest, read.ManifestDigest);
    }
}
