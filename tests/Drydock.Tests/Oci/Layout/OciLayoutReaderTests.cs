using Drydock.Oci;
using Drydock.Oci.Layout;
using Drydock.Reference;

namespace Drydock.Tests.Oci.Layout;

public sealed class OciLayoutReaderTests() : ImageFormatTest("layout")
{
    private string Layout => Path.Combine(Directory, "layout");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_image_written_is_read_back_the_same(bool docker)
    {
        var image = TestImages.Create(Sources, docker: docker);
        await OciLayoutWriter.WriteAsync(image, Layout, "v1", CancellationToken.None);

        var read = await OciLayoutReader.ReadAsync(Layout, "v1", platform: null, CancellationToken.None);

        await TestImages.AssertSameAsync(image, read);
        Assert.Equal(image.Config.RootFs.DiffIds, read.Config.RootFs.DiffIds);
    }

    [Fact]
    public async Task Without_a_name_the_only_entry_is_read_and_several_are_refused()
    {
        var first = TestImages.Create(Sources);
        await OciLayoutWriter.WriteAsync(first, Layout, refName: null, CancellationToken.None);
        Assert.Equal(first.ManifestDigest, (await OciLayoutReader.ReadAsync(Layout, null, null, CancellationToken.None)).ManifestDigest);

        await OciLayoutWriter.WriteAsync(TestImages.Create(Sources, "arm64"), Layout, "arm", CancellationToken.None);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => OciLayoutReader.ReadAsync(Layout, null, null, CancellationToken.None));
        Assert.Contains("lists 2 images", error.Message);
        Assert.Contains("arm", error.Message);
    }

    [Fact]
    public async Task An_unknown_name_is_an_error_naming_the_ones_there()
    {
        await OciLayoutWriter.WriteAsync(TestImages.Create(Sources), Layout, "v1", CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => OciLayoutReader.ReadAsync(Layout, "v2", null, CancellationToken.None));

        Assert.Contains("no image named 'v2'", error.Message);
        Assert.Contains("v1", error.Message);
    }

    [Fact]
    public async Task An_index_entry_is_resolved_to_the_platform_asked_for()
    {
        var amd64 = TestImages.Create(Sources, "amd64");
        var arm64 = TestImages.Create(Sources, "arm64");
        await OciLayoutWriter.WriteIndexAsync(PlatformIndex.Create([amd64, arm64]), Layout, "multi", CancellationToken.None);

        var read = await OciLayoutReader.ReadAsync(Layout, "multi", Platform.Parse("linux/arm64"), CancellationToken.None);

        await TestImages.AssertSameAsync(arm64, read);
        var missing = await Assert.ThrowsAsync<InvalidDataException>(() => OciLayoutReader.ReadAsync(Layout, "multi", Platform.Parse("linux/s390x"), CancellationToken.None));
        Assert.Contains("linux/arm64", missing.Message);
    }

    [Fact]
    public async Task A_manifest_that_does_not_match_its_digest_is_refused()
    {
        var image = TestImages.Create(Sources);
        await OciLayoutWriter.WriteAsync(image, Layout, "v1", CancellationToken.None);
        var manifest = Path.Combine(Layout, "blobs", "sha256", image.ManifestDigest.Hex);
        var bytes = await File.ReadAllBytesAsync(manifest);
        bytes[^2] ^= 0x20;
        await File.WriteAllBytesAsync(manifest, bytes);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => OciLayoutReader.ReadAsync(Layout, "v1", null, CancellationToken.None));

        Assert.Contains(image.ManifestDigest.ToString(), error.Message);
    }

    [Fact]
    public async Task A_layer_that_does_not_match_its_digest_fails_when_read()
    {
        var image = TestImages.Create(Sources);
        await OciLayoutWriter.WriteAsync(image, Layout, "v1", CancellationToken.None);
        var layer = image.Layers[1].Descriptor.Digest;
        var path = Path.Combine(Layout, "blobs", "sha256", layer.Hex);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0xff;
        await File.WriteAllBytesAsync(path, bytes);

        var read = await OciLayoutReader.ReadAsync(Layout, "v1", null, CancellationToken.None);

        await using var blob = await read.Layers[1].OpenCompressedAsync(CancellationToken.None);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => blob.CopyToAsync(Stream.Null));
        Assert.Contains(layer.ToString(), error.Message);
    }

    [Fact]
    public async Task A_directory_without_oci_layout_is_no_layout()
    {
        System.IO.Directory.CreateDirectory(Layout);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => OciLayoutReader.ReadAsync(Layout, null, null, CancellationToken.None));

        Assert.Contains("not an OCI image layout", error.Message);
    }
}
