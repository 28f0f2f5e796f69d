using Drydock.IntegrationTests.Fixtures;
using Drydock.Layers;
using Drydock.Oci;
using Drydock.Oci.DockerArchive;
using Drydock.Oci.Layout;

namespace Drydock.IntegrationTests.Formats;

/// <summary>
/// The readers read what an independent tool wrote: skopeo converts what Drydock's writers wrote
/// into the other format, and Drydock reads that back to the same layers.
/// </summary>
public sealed class ImageFormatToolTests : IDisposable
{
    private readonly TempDirectory _temp = new("drydock-formats-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task An_OCI_layout_that_skopeo_made_from_a_docker_archive_is_read()
    {
        var image = Image();
        var archive = _temp.Combine("image.tar");
        await DockerArchiveWriter.WriteAsync(image, archive, ["example.com/app:v1"], CancellationToken.None);
        var layout = _temp.Combine("layout");

        await ToolRunner.RunCheckedAsync("skopeo", ["--insecure-policy", "copy", "--quiet", $"docker-archive:{archive}", $"oci:{layout}:v1"]);
        var read = await OciLayoutReader.ReadAsync(layout, "v1", platform: null, CancellationToken.None);

        await AssertSameLayersAsync(image, read);
    }

    [Fact]
    public async Task A_docker_archive_that_skopeo_made_from_an_OCI_layout_is_read()
    {
        var image = Image();
        var layout = _temp.Combine("layout");
        await OciLayoutWriter.WriteAsync(image, layout, "v1", CancellationToken.None);
        var archive = _temp.Combine("image.tar");

        await ToolRunner.RunCheckedAsync("skopeo", ["--insecure-policy", "copy", "--quiet", $"oci:{layout}:v1", $"docker-archive:{archive}:example.com/app:v1"]);
        var read = await DockerArchiveReader.ReadAsync(archive, "example.com/app:v1", CancellationToken.None);

        await AssertSameLayersAsync(image, read);
    }

    private static Drydock.Oci.Image Image() => Drydock.Oci.Image.Create(
        new ImageConfig { Architecture = "amd64", Os = "linux" },
        [InMemoryLayer.Random("/one.bin"), InMemoryLayer.Random("/two.bin", size: 4096)],
        dockerMediaTypes: false);

    /// <summary>Same diffIDs, and each layer's tar, read to its end (so verified), is the same.</summary>
    private static async Task AssertSameLayersAsync(IImage written, IImage read)
    {
        Assert.Equal(written.Layers.Select(l => l.DiffId), read.Layers.Select(l => l.DiffId));
        Assert.Equal(written.Config.RootFs.DiffIds, read.Config.RootFs.DiffIds);
        for (var i = 0; i < written.Layers.Count; i++)
        {
            Assert.Equal(await TarOf(written.Layers[i]), await TarOf(read.Layers[i]));
        }
    }

    private static async Task<byte[]> TarOf(ILayer layer)
    {
        await using var tar = await layer.OpenUncompressedAsync(CancellationToken.None);
        var buffer = new MemoryStream();
        await tar.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
