using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// <c>--platform linux/amd64,linux/arm64</c>: one build per platform (RUN for arm64 under QEMU), one
/// index under the tag, in the registry and in an OCI layout, checked with skopeo and umoci.
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class MultiPlatformTests(HttpRegistry server) : IDisposable
{
    private const string OciIndex = "application/vnd.oci.image.index.v1+json";
    private const string OciManifest = "application/vnd.oci.image.manifest.v1+json";

    private static readonly SharedBuild<TwoPlatformBuild> Shared = new();
    private static readonly (string Architecture, string Uname)[] Expected = [("amd64", "x86_64"), ("arm64", "aarch64")];

    private readonly TempDirectory _work = new("drydock-e2e-multi-");

    /// <summary>The shared build: its output, where it pushed, its OCI layout and digest file.</summary>
    private sealed record TwoPlatformBuild(ToolResult Result, string Reference, string Layout, string DigestFile, TempDirectory Outputs);

    [RootFact]
    public async Task The_tag_is_an_OCI_index_listing_each_platform_and_the_digest_file_names_it()
    {
        var build = await BuildAsync();
        var digest = DrydockRunner.Digest(build.Result);

        var raw = await SkopeoAsync(["inspect", "--raw", .. server.SkopeoArgs, $"docker://{build.Reference}"]);
        var index = JsonNode.Parse(raw)!;
        var details = $"index:\n{raw}\n{build.Result}";
        Assert.True((string?)index["mediaType"] == OciIndex, details);
        var entries = index["manifests"]!.AsArray();
        Assert.True(entries.Count == 2, details);
        Assert.Equal(Expected.Select(e => e.Architecture), entries.Select(e => (string?)e!["platform"]!["architecture"]));
        Assert.All(entries, e => Assert.Equal("linux", (string?)e!["platform"]!["os"]));
        Assert.All(entries, e => Assert.Equal(OciManifest, (string?)e!["mediaType"]));

        // The registry serves the same index by the digest drydock printed (it checks digests on put).
        var name = build.Reference[..build.Reference.LastIndexOf(':')];
        Assert.Equal(raw, await SkopeoAsync(["inspect", "--raw", .. server.SkopeoArgs, $"docker://{name}@{digest}"]));
        Assert.Equal(digest, (await File.ReadAllTextAsync(build.DigestFile)).Trim());
    }

    [RootFact]
    public async Task Each_platform_image_ran_its_RUN_on_its_own_CPU_and_says_so_in_its_config()
    {
        var build = await BuildAsync();
        var inspector = new ImageInspector(server);
        var index = await inspector.ManifestAsync(build.Reference);
        var name = build.Reference[..build.Reference.LastIndexOf(':')];
        foreach (var (entry, (architecture, uname)) in index["manifests"]!.AsArray().Zip(Expected))
        {
            var byDigest = $"{name}@{(string?)entry!["digest"]}";
            var config = await inspector.ConfigAsync(byDigest);
            Assert.Equal("linux", (string?)config["os"]);
            Assert.Equal(architecture, (string?)config["architecture"]);
            Assert.Contains("BUILT=multi", config["config"]!["Env"]!.AsArray().Select(e => (string?)e));

            var image = await inspector.UnpackAsync(byDigest, Directory.CreateDirectory(_work.Combine(architecture)).FullName);
            Assert.Equal(uname + "\n", await File.ReadAllTextAsync(image.HostPath("/arch")));
            Assert.Equal("copied\n", await File.ReadAllTextAsync(image.HostPath("/copied.txt")));
        }
    }

    [RootFact]
    public async Task The_log_says_which_platform_is_building()
    {
        var build = await BuildAsync();
        var log = build.Result.StandardError;
        Assert.Contains("Building for linux/amd64 (1/2)", log, StringComparison.Ordinal);
        Assert.Contains("Building for linux/arm64 (2/2)", log, StringComparison.Ordinal);
        Assert.Contains("[linux/arm64] Step 1/3: RUN uname -m > /arch", log, StringComparison.Ordinal);
        Assert.Contains("[linux/amd64] Step 1/3: RUN uname -m > /arch", log, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Every_platform_streams_its_new_layers_while_they_are_written()
    {
        var build = await BuildAsync();
        var inspector = new ImageInspector(server);
        var index = await inspector.ManifestAsync(build.Reference);
        var name = build.Reference[..build.Reference.LastIndexOf(':')];
        foreach (var entry in index["manifests"]!.AsArray())
        {
            var manifest = await inspector.ManifestAsync($"{name}@{(string?)entry!["digest"]}");

            // The base has one layer; the RUN and the COPY made the other two.
            foreach (var layer in manifest["layers"]!.AsArray().Skip(1))
            {
                Assert.Contains($"streamed {(string?)layer!["digest"]} to ", build.Result.StandardError, StringComparison.Ordinal);
            }
        }
    }

    [RootFact]
    public async Task The_OCI_layout_holds_the_index_and_every_image_for_skopeo_and_umoci()
    {
        var build = await BuildAsync();
        var digest = DrydockRunner.Digest(build.Result);

        var entry = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(build.Layout, "index.json")))!["manifests"]!.AsArray()
            .Single(m => (string?)m!["annotations"]?["org.opencontainers.image.ref.name"] == "multi")!;
        Assert.Equal(OciIndex, (string?)entry["mediaType"]);
        Assert.Equal(digest, (string?)entry["digest"]);
        var blob = await File.ReadAllBytesAsync(ImageInspector.BlobPath(build.Layout, digest));
        Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob)));
        var index = JsonNode.Parse(await SkopeoAsync(["inspect", "--raw", $"oci:{build.Layout}:multi"]))!;
        Assert.Equal(Expected.Select(e => e.Architecture), index["manifests"]!.AsArray().Select(e => (string?)e!["platform"]!["architecture"]));
        foreach (var (architecture, uname) in Expected)
        {
            // skopeo picks the platform's image out of the layout's index; umoci unpacks what it copied.
            var copy = _work.Combine("layout-" + architecture);
            await SkopeoAsync(["--insecure-policy", "--override-arch", architecture, "copy", "--quiet", $"oci:{build.Layout}:multi", $"oci:{copy}:image"]);
            var image = await ImageInspector.UnpackLayoutAsync(copy, "image", _work.Combine("bundle-" + architecture));
            Assert.Equal(uname + "\n", await File.ReadAllTextAsync(image.HostPath("/arch")));
        }
    }

    [RootFact]
    public async Task A_Docker_media_type_base_gives_a_Docker_manifest_list()
    {
        var seeded = await TwoPlatformBase.SeedAsync(server, RegistryServer.NewRepository("two-platforms-v2s2"), SeedFormat.DockerV2S2);
        using var context = new ContextDirectory()
            .Dockerfile($"FROM {seeded.Reference}\nCOPY copied.txt /copied.txt\n")
            .File("copied.txt", "copied\n");
        var reference = server.Reference(RegistryServer.NewRepository("multi-v2s2") + ":latest").ToString();

        var result = await DrydockRunner.BuildAsync(["--insecure", "--platform", "linux/amd64", "--platform", "linux/arm64", "--destination", reference, context.Path]);

        DrydockRunner.Digest(result);
        var list = await new ImageInspector(server).ManifestAsync(reference);
        var details = $"{list.ToJsonString()}\n{result}";
        Assert.True((string?)list["mediaType"] == "application/vnd.docker.distribution.manifest.list.v2+json", details);
        Assert.Equal(Expected.Select(e => e.Architecture), list["manifests"]!.AsArray().Select(e => (string?)e!["platform"]!["architecture"]));
        Assert.All(list["manifests"]!.AsArray(), e => Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", (string?)e!["mediaType"]));
    }

    [RootFact]
    public async Task One_platform_still_pushes_a_plain_manifest_and_aliases_collapse_into_it()
    {
        var seeded = await TwoPlatformBase.SeedAsync(server);
        using var context = new ContextDirectory().Dockerfile($"FROM {seeded.Reference}\nENV ONE=platform\n");
        var reference = server.Reference(RegistryServer.NewRepository("one-platform") + ":latest").ToString();

        var result = await DrydockRunner.BuildAsync(["--insecure", "--platform", "linux/arm64,linux/aarch64", "--platform", "linux/arm64/v8", "--destination", reference, context.Path]);

        var digest = DrydockRunner.Digest(result);
        var inspector = new ImageInspector(server);
        var manifest = await inspector.ManifestAsync(reference);
        Assert.True((string?)manifest["mediaType"] == OciManifest, $"{manifest.ToJsonString()}\n{result}");
        Assert.Equal(digest, await inspector.DigestAsync(reference));
        Assert.Equal("arm64", (string?)(await inspector.ConfigAsync(reference))["architecture"]);
        Assert.DoesNotContain("Building for", result.StandardError, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task A_base_without_one_of_the_platforms_is_one_clear_error_and_nothing_is_pushed()
    {
        var index = await BaseImages.SeedMultiArchAsync(server);
        using var context = new ContextDirectory().Dockerfile($"FROM {index.Reference}\nENV X=1\n");
        var reference = server.Reference(RegistryServer.NewRepository("missing-platform") + ":latest").ToString();

        var result = await DrydockRunner.BuildAsync(["--insecure", "--platform", "linux/amd64,linux/arm/v7", "--destination", reference, context.Path]);

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(DrydockRunner.ErrorLines(result));
        Assert.Contains(index.Reference.ToString(), error, StringComparison.Ordinal);
        Assert.Contains("no manifest for linux/arm/v7", error, StringComparison.Ordinal);

        // Every platform's bases are resolved first: amd64 is not built only to be thrown away.
        Assert.DoesNotContain("Building for", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("Step 1/1", result.StandardError, StringComparison.Ordinal);
        await new ImageInspector(server).AssertAbsentAsync(reference, "the arm/v7 build failed");
    }

    [RootFact]
    public async Task Tar_path_with_several_platforms_is_refused_before_building()
    {
        using var context = new ContextDirectory().Dockerfile("FROM scratch\nENV X=1\n");
        var tar = _work.Combine("image.tar");

        var result = await DrydockRunner.BuildAsync(["--no-push", "--platform", "linux/amd64,linux/arm64", "--tar-path", tar, context.Path]);

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(DrydockRunner.ErrorLines(result));
        Assert.Contains("--tar-path cannot hold 2 platforms (linux/amd64, linux/arm64)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Step 1", result.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(tar));
    }

    [RootFact]
    public async Task RUN_for_a_platform_this_machine_cannot_execute_says_how_to_enable_QEMU()
    {
        // Executable but no format the kernel knows: what a foreign binary is without a binfmt entry.
        using var context = new ContextDirectory()
            .Dockerfile("FROM scratch\nCOPY sh /bin/sh\nRUN true\n")
            .File("sh", "\u007fnot a program\n", ContextDirectory.Mode755);

        var result = await DrydockRunner.BuildAsync(["--no-push", "--platform", "linux/riscv64", context.Path]);

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(DrydockRunner.ErrorLines(result));
        Assert.Contains("RUN: exec \"/bin/sh\": exec format error", error, StringComparison.Ordinal);
        Assert.Contains("install qemu-user-static and binfmt-support", error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("update-binfmts --enable qemu-riscv64", error, StringComparison.Ordinal);
    }

    public void Dispose() => _work.Dispose();

    private Task<TwoPlatformBuild> BuildAsync() => Shared.GetAsync(async () =>
    {
        var seeded = await TwoPlatformBase.SeedAsync(server);
        var outputs = RunScratch.NewDirectory("multi-outputs-");
        using var context = new ContextDirectory()
            .Dockerfile($"FROM {seeded.Reference}\nRUN uname -m > /arch\nCOPY copied.txt /copied.txt\nENV BUILT=multi\n")
            .File("copied.txt", "copied\n");
        var reference = server.Reference(RegistryServer.NewRepository("multi") + ":multi").ToString();
        var layout = outputs.Combine("layout");
        var digestFile = outputs.Combine("digest");
        var result = await DrydockRunner.BuildAsync([
            "--insecure", "--verbosity", "debug", "--platform", "linux/amd64,linux/arm64", "--destination", reference,
            "--oci-layout-path", layout, "--digest-file", digestFile, context.Path]);
        return new TwoPlatformBuild(result, reference, layout, digestFile, outputs);
    });

    private Task<string> SkopeoAsync(IReadOnlyList<string> arguments) =>
        ToolRunner.RunCheckedAsync("skopeo", arguments, new ToolOptions { Secrets = server.Secrets }).ContinueWith(t => t.Result.StandardOutput, TaskScheduler.Default);
}
