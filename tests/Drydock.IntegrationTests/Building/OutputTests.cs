using System.Text.Json.Nodes;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// What a build leaves behind besides the push: the digest on stdout and in --digest-file, every
/// --destination, a docker-archive tarball and an OCI layout, each read back by skopeo and umoci.
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class OutputTests(HttpRegistry server, OutputTests.Fixture fixture) : IClassFixture<OutputTests.Fixture>, IDisposable
{
    private readonly TempDirectory _work = new("drydock-e2e-outputs-");

    [RootFact]
    public async Task The_digest_file_holds_the_digest_printed_on_stdout_and_served_for_the_tag()
    {
        var pushed = await fixture.PushedAsync(server);

        Assert.Equal(pushed.Digest, pushed.DigestFileContent.Trim());
        Assert.Equal(pushed.Digest, await new ImageInspector(server).DigestAsync(pushed.Destinations[0]));
    }

    [RootFact]
    public async Task Every_destination_points_at_the_same_digest()
    {
        var pushed = await fixture.PushedAsync(server);
        var inspector = new ImageInspector(server);

        Assert.Equal(3, pushed.Destinations.Count);
        foreach (var destination in pushed.Destinations)
        {
            Assert.True(pushed.Digest == await inspector.DigestAsync(destination), $"{destination} must be {pushed.Digest}\n{pushed.Result}");
        }
    }

    [RootFact]
    public async Task No_push_pushes_nothing()
    {
        var saved = await fixture.SavedAsync(server);

        await new ImageInspector(server).AssertAbsentAsync(saved.Destination, $"--no-push was given\n{saved.Result}");
    }

    [RootFact]
    public async Task The_tar_path_is_a_docker_archive_that_skopeo_copies_and_umoci_unpacks()
    {
        var saved = await fixture.SavedAsync(server);
        var layout = _work.Combine("from-tar");

        await ToolRunner.RunCheckedAsync("skopeo", ["--insecure-policy", "copy", "--quiet", $"docker-archive:{saved.TarPath}", $"oci:{layout}:t"]);
        var image = await ImageInspector.UnpackLayoutAsync(layout, "t", _work.Combine("bundle"));

        Assert.Equal("saved\n", await File.ReadAllTextAsync(image.HostPath("/saved.txt")));
        Assert.Equal("base\n", await File.ReadAllTextAsync(image.HostPath(BaseImages.MarkerPath)));
        Assert.Equal(["sh", "-c", "cat /saved.txt"], image.RuntimeConfig["process"]!["args"]!.AsArray().Select(a => (string?)a));

        // docker load names the image after the destination.
        var manifest = JsonNode.Parse((await ToolRunner.RunCheckedAsync("tar", ["-xOf", saved.TarPath, "manifest.json"])).StandardOutput)!;
        Assert.Equal([saved.Destination], manifest[0]!["RepoTags"]!.AsArray().Select(t => (string?)t));
    }

    /// <summary>The layout names the image by the destination's tag (what `umoci unpack --image DIR:TAG` and `skopeo oci:DIR:TAG` look up).</summary>
    [RootFact]
    public async Task The_oci_layout_is_tagged_with_the_destination_tag_and_read_by_umoci_and_skopeo()
    {
        var saved = await fixture.SavedAsync(server);
        var index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(saved.LayoutPath, "index.json")))!;
        var entry = Assert.Single(index["manifests"]!.AsArray())!;

        Assert.Equal(Fixture.SavedTag, (string?)entry["annotations"]?["org.opencontainers.image.ref.name"]);
        Assert.Equal(saved.Digest, (string?)entry["digest"]);
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", (string?)entry["mediaType"]);

        var inspected = JsonNode.Parse((await ToolRunner.RunCheckedAsync("skopeo", ["inspect", $"oci:{saved.LayoutPath}:{Fixture.SavedTag}"])).StandardOutput)!;
        Assert.Equal(saved.Digest, (string?)inspected["Digest"]);

        var image = await ImageInspector.UnpackLayoutAsync(saved.LayoutPath, Fixture.SavedTag, _work.Combine("bundle"));
        Assert.Equal("saved\n", await File.ReadAllTextAsync(image.HostPath("/saved.txt")));
    }

    [RootFact]
    public async Task The_tarball_and_the_layout_hold_the_same_image()
    {
        var saved = await fixture.SavedAsync(server);
        var layout = _work.Combine("from-tar");
        await ToolRunner.RunCheckedAsync("skopeo", ["--insecure-policy", "copy", "--quiet", $"docker-archive:{saved.TarPath}", $"oci:{layout}:t"]);

        // skopeo recompresses what it reads from a docker-archive: compare the uncompressed layers (diff IDs).
        var fromTar = await DiffIdsAsync(layout, "t");
        var fromLayout = await DiffIdsAsync(saved.LayoutPath, Fixture.SavedTag);
        Assert.Equal(fromLayout, fromTar);

        // And docker load would find the very config blob the layout's manifest names.
        var archiveManifest = JsonNode.Parse((await ToolRunner.RunCheckedAsync("tar", ["-xOf", saved.TarPath, "manifest.json"])).StandardOutput)!;
        var layoutConfig = (await ImageInspector.LayoutManifestAsync(saved.LayoutPath, Fixture.SavedTag))["config"]!["digest"]!.GetValue<string>();
        Assert.Equal("blobs/sha256/" + layoutConfig["sha256:".Length..], (string?)archiveManifest[0]!["Config"]);
    }

    public void Dispose() => _work.Dispose();

    private static async Task<string?[]> DiffIdsAsync(string layout, string tag)
    {
        var manifest = await ImageInspector.LayoutManifestAsync(layout, tag);
        var config = JsonNode.Parse(await File.ReadAllTextAsync(ImageInspector.BlobPath(layout, manifest["config"]!["digest"]!.GetValue<string>())))!;
        return config["rootfs"]!["diff_ids"]!.AsArray().Select(d => (string?)d).ToArray();
    }

    public sealed record Pushed(ToolResult Result, string Digest, string DigestFileContent, IReadOnlyList<string> Destinations);

    public sealed record Saved(ToolResult Result, string Digest, string Destination, string TarPath, string LayoutPath);

    public sealed class Fixture : IDisposable
    {
        public const string SavedTag = "v1";

        private readonly SharedBuild<Pushed> _pushed = new();
        private readonly SharedBuild<Saved> _saved = new();
        private readonly TempDirectory _work = new("drydock-e2e-outputs-");

        /// <summary>One build pushed to three destinations (two tags of one repository, one other repository) with --digest-file.</summary>
        public Task<Pushed> PushedAsync(RegistryServer server) => _pushed.GetAsync(async () =>
        {
            using var context = await ContextAsync(server);
            var repository = RegistryServer.NewRepository("outputs");
            string[] destinations = [$"{server.Host}/{repository}:one", $"{server.Host}/{repository}:two", $"{server.Host}/{RegistryServer.NewRepository("outputs-other")}:latest"];
            var digestFile = Path.Combine(_work.Path, "digest.txt");

            var result = await DrydockRunner.BuildAsync([
                "--insecure", "--digest-file", digestFile, "-c", context.Path,
                .. destinations.SelectMany(d => new[] { "--destination", d })]);

            return new Pushed(result, DrydockRunner.Digest(result), await File.ReadAllTextAsync(digestFile), destinations);
        });

        /// <summary>One --no-push build saved as a tarball and into an OCI layout, named by a destination that is never pushed.</summary>
        public Task<Saved> SavedAsync(RegistryServer server) => _saved.GetAsync(async () =>
        {
            using var context = await ContextAsync(server);
            var destination = $"{server.Host}/{RegistryServer.NewRepository("saved")}:{SavedTag}";
            var tarPath = Path.Combine(_work.Path, "image.tar");
            var layoutPath = Path.Combine(_work.Path, "layout");

            var result = await DrydockRunner.BuildAsync([
                "--insecure", "--no-push", "--tar-path", tarPath, "--oci-layout-path", layoutPath, "--destination", destination, context.Path]);

            return new Saved(result, DrydockRunner.Digest(result), destination, tarPath, layoutPath);
        });

        public void Dispose() => _work.Dispose();

        private static async Task<ContextDirectory> ContextAsync(RegistryServer server)
        {
            var seeded = await BaseImages.SeedBusyboxAsync(server);
            return new ContextDirectory()
                .Dockerfile($"FROM {seeded.Reference}\nCOPY saved.txt /saved.txt\nCMD [\"sh\", \"-c\", \"cat /saved.txt\"]\n")
                .File("saved.txt", "saved\n");
        }
    }
}
