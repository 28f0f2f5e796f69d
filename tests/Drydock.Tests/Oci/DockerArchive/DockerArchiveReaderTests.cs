using System.Formats.Tar;
using System.Text;
using Drydock.Oci;
using Drydock.Oci.DockerArchive;

namespace Drydock.Tests.Oci.DockerArchive;

public sealed class DockerArchiveReaderTests() : ImageFormatTest("archive")
{
    private string Archive => Path.Combine(Directory, "image.tar");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_image_written_is_read_back_the_same(bool docker)
    {
        var image = TestImages.Create(Sources, docker: docker);
        await DockerArchiveWriter.WriteAsync(image, Archive, ["example.com/app:v1"], CancellationToken.None);

        var read = await DockerArchiveReader.ReadAsync(Archive, "example.com/app:v1", CancellationToken.None);

        await TestImages.AssertSameAsync(image, read);
    }

    [Fact]
    public async Task An_old_docker_save_archive_is_read_with_a_manifest_made_for_it()
    {
        // docker save before Docker 25: HEX.json config, ID/layer.tar plain tars, a repeated layer as a symlink.
        var first = TestImages.Tar("etc/a", "a");
        var second = TestImages.Tar("etc/b", "b");
        var config = Encoding.UTF8.GetBytes(
            $"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{Digest.Sha256(first)}\",\"{Digest.Sha256(second)}\",\"{Digest.Sha256(first)}\"]}}}}");
        var configName = Digest.Sha256(config).Hex + ".json";
        WriteArchive(
            ("manifest.json", Encoding.UTF8.GetBytes($"[{{\"Config\":\"{configName}\",\"RepoTags\":[\"app:old\"],\"Layers\":[\"one/layer.tar\",\"two/layer.tar\",\"three/layer.tar\"]}}]"), null),
            (configName, config, null),
            ("one/layer.tar", first, null),
            ("two/layer.tar", second, null),
            ("three/layer.tar", null, "../one/layer.tar"));

        var read = await DockerArchiveReader.ReadAsync(Archive, tag: null, CancellationToken.None);

        Assert.Equal(MediaTypes.DockerManifest, read.MediaType);
        Assert.Equal(Digest.Sha256(config), read.Manifest.Config.Digest);
        Assert.Equal([Digest.Sha256(first), Digest.Sha256(second), Digest.Sha256(first)], read.Layers.Select(l => l.Descriptor.Digest));
        Assert.All(read.Layers, l => Assert.Equal(MediaTypes.DockerLayer, l.Descriptor.MediaType));
        Assert.Equal(first, await TestImages.ReadUncompressedAsync(read.Layers[2]));
        Assert.Equal(second, await TestImages.ReadUncompressedAsync(read.Layers[1]));
        Assert.Equal(Digest.Sha256(read.RawManifest.Span), read.ManifestDigest);
    }

    [Fact]
    public async Task A_layer_that_does_not_match_its_diff_id_fails_when_read()
    {
        var tar = TestImages.Tar("etc/a", "a");
        var config = Encoding.UTF8.GetBytes($"{{\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{Digest.Sha256(TestImages.Tar("etc/a", "not a"))}\"]}}}}");
        WriteArchive(
            ("manifest.json", Encoding.UTF8.GetBytes("[{\"Config\":\"config.json\",\"RepoTags\":null,\"Layers\":[\"layer.tar\"]}]"), null),
            ("config.json", config, null),
            ("layer.tar", tar, null));

        var read = await DockerArchiveReader.ReadAsync(Archive, null, CancellationToken.None);

        await using var blob = await read.Layers[0].OpenCompressedAsync(CancellationToken.None);
        await Assert.ThrowsAsync<InvalidDataException>(() => blob.CopyToAsync(Stream.Null));
    }

    [Fact]
    public async Task A_config_that_does_not_match_the_digest_its_name_states_is_refused()
    {
        var config = Encoding.UTF8.GetBytes("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        var wrongName = Digest.Sha256("something else"u8).Hex + ".json";
        WriteArchive(
            ("manifest.json", Encoding.UTF8.GetBytes($"[{{\"Config\":\"{wrongName}\",\"RepoTags\":[],\"Layers\":[]}}]"), null),
            (wrongName, config, null));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DockerArchiveReader.ReadAsync(Archive, null, CancellationToken.None));

        Assert.Contains("digest", error.Message);
    }

    [Fact]
    public async Task An_unknown_tag_is_an_error_naming_the_ones_there()
    {
        await DockerArchiveWriter.WriteAsync(TestImages.Create(Sources), Archive, ["app:v1"], CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => DockerArchiveReader.ReadAsync(Archive, "app:v2", CancellationToken.None));

        Assert.Contains("app:v1", error.Message);
    }

    /// <summary>Writes a tar of files (name, data) and symlinks (name, null, target).</summary>
    private void WriteArchive(params (string Name, byte[]? Data, string? LinkTarget)[] members)
    {
        using var file = File.Create(Archive);
        using var writer = new TarWriter(file, TarEntryFormat.Pax);
        foreach (var (name, data, target) in members)
        {
            var entry = target is null
                ? new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data!) }
                : new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target };
            writer.WriteEntry(entry);
        }
    }
}
