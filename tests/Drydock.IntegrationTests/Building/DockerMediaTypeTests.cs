namespace Drydock.IntegrationTests.Building;

/// <summary>An image built on a Docker v2 schema 2 base keeps Docker media types throughout, as kaniko does.</summary>
[Collection(RegistryCollections.Http)]
public sealed class DockerMediaTypeTests(HttpRegistry server) : IDisposable
{
    private readonly TempDirectory _work = new("drydock-e2e-v2s2-");

    [RootFact]
    public async Task A_Docker_v2s2_base_gives_a_Docker_v2s2_image_that_skopeo_and_umoci_read()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server, RegistryServer.NewRepository("busybox-v2s2"), "latest", SeedFormat.DockerV2S2);
        using var context = new ContextDirectory()
            .Dockerfile($"FROM {seeded.Reference}\nCOPY docker.txt /docker.txt\nRUN echo ran > /ran.txt\nCMD [\"cat\", \"/docker.txt\", \"/ran.txt\"]\n")
            .File("docker.txt", "docker media types\n");
        var reference = server.Reference(RegistryServer.NewRepository("v2s2") + ":latest").ToString();

        var result = await DrydockRunner.BuildAsync(["--insecure", "--destination", reference, context.Path]);

        var digest = DrydockRunner.Digest(result);
        var inspector = new ImageInspector(server);
        var baseManifest = await inspector.ManifestAsync(seeded.Reference.ToString());
        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", (string?)baseManifest["mediaType"]);

        var manifest = await inspector.ManifestAsync(reference);
        var details = $"manifest:\n{manifest.ToJsonString()}\n{result}";
        Assert.True((string?)manifest["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json", details);
        Assert.True((string?)manifest["config"]!["mediaType"] == "application/vnd.docker.container.image.v1+json", details);
        var layers = manifest["layers"]!.AsArray();
        Assert.True(layers.Count == 3, details);
        Assert.All(layers, l => Assert.Equal("application/vnd.docker.image.rootfs.diff.tar.gzip", (string?)l!["mediaType"]));
        Assert.Equal(digest, await inspector.DigestAsync(reference));

        var config = await inspector.ConfigAsync(reference);
        Assert.Equal(["cat", "/docker.txt", "/ran.txt"], config["config"]!["Cmd"]!.AsArray().Select(a => (string?)a));

        var image = await inspector.UnpackAsync(reference, _work.Path);
        var run = await ImageInspector.RunCommandAsync(image);
        Assert.True(run.Succeeded, run.ToString());
        Assert.Equal("docker media types\nran\n", run.StandardOutput);
    }

    public void Dispose() => _work.Dispose();
}
