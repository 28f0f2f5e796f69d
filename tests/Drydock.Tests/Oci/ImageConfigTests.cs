using System.Text;
using Drydock.Oci;

namespace Drydock.Tests.Oci;

public sealed class ImageConfigTests
{
    [Fact]
    public void Fields_not_modelled_survive_a_round_trip()
    {
        const string json = """
            {"architecture":"amd64","os":"linux","docker_version":"24.0.7","config":{"Env":["A=1"],"Hostname":"abc","Cmd":null},
             "rootfs":{"type":"layers","diff_ids":[]},"created":"2024-05-01T10:00:00.609345672Z",
             "history":[{"created":"2024-05-01T10:00:00.609345672Z","created_by":"x","future_field":1}]}
            """;
        var config = OciJson.ReadConfig(Encoding.UTF8.GetBytes(json));
        var written = Encoding.UTF8.GetString(OciJson.Serialize(config));

        Assert.Contains("\"docker_version\":\"24.0.7\"", written);
        Assert.Contains("\"Hostname\":\"abc\"", written);
        Assert.Contains("\"created\":\"2024-05-01T10:00:00.609345672Z\"", written);
        Assert.Contains("{\"created\":\"2024-05-01T10:00:00.609345672Z\",\"created_by\":\"x\",\"future_field\":1}", written);
        Assert.Equal(["A=1"], config.Config.Env);
    }

    [Fact]
    public void Exposed_ports_and_empty_history_flags_serialise_like_docker()
    {
        var config = new ImageConfig
        {
            Config = new ContainerConfig { ExposedPorts = new Dictionary<string, EmptyObject> { ["80/tcp"] = EmptyObject.Instance } },
            History = [new HistoryEntry { CreatedBy = "ENV A=1", EmptyLayer = true }, new HistoryEntry { CreatedBy = "RUN true" }],
        };
        var written = Encoding.UTF8.GetString(OciJson.Serialize(config));

        Assert.Contains("\"ExposedPorts\":{\"80/tcp\":{}}", written);
        Assert.Contains("{\"created_by\":\"ENV A=1\",\"empty_layer\":true}", written);
        Assert.Contains("{\"created_by\":\"RUN true\"}", written);
    }

    [Fact]
    public void Invalid_json_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidDataException>(() => OciJson.ReadConfig("{\"config\":"u8));
        Assert.Contains("image config is not valid JSON", error.Message);
    }

    [Fact]
    public void Image_sets_diff_ids_from_its_layers()
    {
        var layer = new StubLayer(Digest.Sha256("tar"u8), Digest.Sha256("gz"u8));
        var image = Image.Create(new ImageConfig(), [layer], dockerMediaTypes: true);

        Assert.Equal([layer.DiffId], image.Config.RootFs.DiffIds);
        Assert.Equal(MediaTypes.DockerManifest, image.MediaType);
        Assert.Equal(MediaTypes.DockerConfig, image.Manifest.Config.MediaType);
        Assert.Equal(Digest.Sha256(image.RawConfig.Span), image.Manifest.Config.Digest);
        Assert.Equal(Digest.Sha256(image.RawManifest.Span), image.ManifestDigest);
    }

    private sealed record StubLayer(Digest DiffId, Digest BlobDigest) : ILayer
    {
        public Descriptor Descriptor => new() { MediaType = MediaTypes.DockerLayerGzip, Digest = BlobDigest, Size = 2 };

        public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) => Task.FromResult<Stream>(new MemoryStream("gz"u8.ToArray()));
    }
}
