using System.Text.Json.Nodes;
using Drydock.IntegrationTests.Building;

namespace Drydock.IntegrationTests.Cache;

/// <summary>
/// `drydock warm` fills a cache directory from a real registry, and a build with --cache-dir then
/// runs with that registry stopped: a warmed tag needs no registry round trip until its TTL
/// expires. Each test has a registry of its own, since it stops it.
/// </summary>
public sealed class WarmedBuildTests : IAsyncLifetime
{
    private readonly TempDirectory _work = new("drydock-e2e-warm-");
    private RegistryServer _registry = null!;

    private string CacheDirectory => _work.Combine("cache");

    public async Task InitializeAsync() => _registry = await RegistryServer.StartAsync(RegistryMode.Http);

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        _work.Dispose();
    }

    [RootFact]
    public async Task A_warmed_image_builds_with_its_registry_stopped()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(_registry, RegistryServer.NewRepository("warm"));

        var warm = await WarmAsync(["--image", seeded.Reference.ToString()]);
        Assert.True(warm.Succeeded, warm.ToString());
        Assert.Contains($"Warmed {seeded.Reference} (", warm.StandardError, StringComparison.Ordinal);
        Assert.Contains(seeded.ManifestDigest, warm.StandardError, StringComparison.Ordinal);

        await _registry.StopAsync();
        var (build, image) = await BuildAsync($"FROM {seeded.Reference}\nCOPY app.txt /app.txt\nRUN cat /app.txt {BaseImages.MarkerPath} > /both.txt\n");

        Assert.Contains($"Using base image {seeded.Reference} from the cache directory {CacheDirectory} (warmed ", build.StandardError, StringComparison.Ordinal);
        Assert.Equal("app\nbase\n", await File.ReadAllTextAsync(image.HostPath("/both.txt")));
    }

    [RootFact]
    public async Task Warming_a_dockerfile_warms_the_base_its_build_args_choose_and_the_build_uses_it()
    {
        var repository = RegistryServer.NewRepository("warm-df");
        var chosen = await BaseImages.SeedBusyboxAsync(_registry, repository, "chosen");
        var dockerfile = $"ARG TAG=default\nFROM {_registry.Host}/{repository}:${{TAG}} AS base\nFROM base\nCOPY app.txt /app.txt\n";
        var dockerfilePath = _work.Combine("Dockerfile.warm");
        await File.WriteAllTextAsync(dockerfilePath, dockerfile);

        var warm = await WarmAsync(["--dockerfile", dockerfilePath, "--build-arg", "TAG=chosen"]);
        Assert.True(warm.Succeeded, warm.ToString());

        // Only the chosen tag: the default one does not even exist, and the stage name is no image.
        var entry = Assert.Single(JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(CacheDirectory, "index.json")))!["manifests"]!.AsArray())!;
        Assert.Equal(chosen.Reference.ToString(), (string?)entry["annotations"]!["org.opencontainers.image.ref.name"]);
        Assert.Equal(chosen.ManifestDigest, (string?)entry["digest"]);

        await _registry.StopAsync();
        var (_, image) = await BuildAsync(dockerfile, "--build-arg", "TAG=chosen");
        Assert.Equal("app\n", await File.ReadAllTextAsync(image.HostPath("/app.txt")));
        Assert.Equal(BaseImages.MarkerContent, await File.ReadAllTextAsync(image.HostPath(BaseImages.MarkerPath)));
    }

    [RootFact]
    public async Task Every_platform_of_an_index_warmed_builds_a_multi_platform_image_with_the_registry_stopped()
    {
        var index = await BaseImages.SeedMultiArchAsync(_registry, RegistryServer.NewRepository("warm-multi"));
        var warm = await WarmAsync(["--image", index.Reference.ToString(), "--platform", "linux/amd64,linux/arm64"]);
        Assert.True(warm.Succeeded, warm.ToString());

        await _registry.StopAsync();
        using var context = new ContextDirectory().Dockerfile($"FROM {index.Reference}\nCOPY app.txt /app.txt\n").File("app.txt", "app\n");
        var build = await DrydockRunner.BuildAsync([
            "--isolation", "chroot", "--insecure-pull", "--no-push", "--destination", $"{_registry.Host}/app:multi", "--oci-layout-path", _work.Combine("out"),
            "--platform", "linux/amd64,linux/arm64", "--cache-dir", CacheDirectory, context.Path]);

        DrydockRunner.Digest(build);
        var built = JsonNode.Parse((await ToolRunner.RunCheckedAsync("skopeo", ["inspect", "--raw", $"oci:{_work.Combine("out")}:multi"])).StandardOutput)!;
        Assert.Equal(["amd64", "arm64"], built["manifests"]!.AsArray().Select(m => (string?)m!["platform"]!["architecture"]).Order());
        // The arm64 base by its index digest, as a FROM pinned to the index would name it.
        var pinned = await WarmAsync(["--image", $"{index.Reference.Name}@{index.IndexDigest}", "--platform", "linux/arm64"]);
        Assert.Contains("not pulled again", pinned.StandardError, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task An_expired_warmed_tag_sends_the_build_to_the_registry_which_fails_clearly_when_stopped()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(_registry, RegistryServer.NewRepository("warm-ttl"));
        Assert.True((await WarmAsync(["--image", seeded.Reference.ToString()])).Succeeded);
        await _registry.StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        using var context = new ContextDirectory().Dockerfile($"FROM {seeded.Reference}\n");
        var build = await DrydockRunner.BuildAsync([
            "--isolation", "chroot", "--insecure-pull", "--no-push", "--destination", $"{_registry.Host}/app:t",
            "--cache-dir", CacheDirectory, "--cache-ttl", "1s", "-v", "debug", context.Path]);

        var error = DrydockRunner.AssertOneError(build);
        Assert.StartsWith($"ERROR Dockerfile:1:1: FROM: {seeded.Reference}: ", error, StringComparison.Ordinal);
        Assert.Contains("Connection refused", error, StringComparison.Ordinal);
        Assert.True(build.StandardError.Contains("longer ago than the cache TTL", StringComparison.Ordinal), build.ToString());
        Assert.Contains("warm it again (drydock warm) or raise --cache-ttl", build.StandardError, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task A_fresh_image_is_not_pulled_again_unless_forced_and_a_failed_pull_is_one_error()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(_registry, RegistryServer.NewRepository("warm-force"));
        Assert.True((await WarmAsync(["--image", seeded.Reference.ToString()])).Succeeded);
        var firstWarmed = await WarmedAnnotationAsync();

        var again = await WarmAsync(["--image", seeded.Reference.ToString()]);
        Assert.True(again.Succeeded, again.ToString());
        Assert.Contains("not pulled again (--force pulls it)", again.StandardError, StringComparison.Ordinal);
        Assert.Equal(firstWarmed, await WarmedAnnotationAsync());

        await Task.Delay(TimeSpan.FromMilliseconds(20));
        var forced = await WarmAsync(["--image", seeded.Reference.ToString(), "--force"]);
        Assert.True(forced.Succeeded, forced.ToString());
        Assert.Contains($"Warmed {seeded.Reference} (", forced.StandardError, StringComparison.Ordinal);
        Assert.NotEqual(firstWarmed, await WarmedAnnotationAsync());

        await _registry.StopAsync();
        var failed = await WarmAsync(["--image", seeded.Reference.ToString(), "-f"]);
        Assert.StartsWith($"ERROR could not warm {seeded.Reference} (", DrydockRunner.AssertOneError(failed), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task A_binary_named_warmer_warms_as_kanikos_does_and_a_bad_reference_is_one_error()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(_registry, RegistryServer.NewRepository("warmer"));
        var warmer = _work.Combine("bin", "warmer");
        Directory.CreateDirectory(Path.GetDirectoryName(warmer)!);
        File.CreateSymbolicLink(warmer, DrydockRunner.ExecutablePath);

        var warmed = await DrydockRunner.RunAsync(warmer, ["-i", seeded.Reference.ToString(), "-c", CacheDirectory, "--insecure-pull"]);
        Assert.True(warmed.Succeeded, warmed.ToString());
        Assert.True(File.Exists(Path.Combine(CacheDirectory, "oci-layout")));

        var bad = await DrydockRunner.RunAsync(warmer, ["--image", "Not/A:Reference:", "-c", CacheDirectory]);
        Assert.Contains("is not a valid image reference", DrydockRunner.AssertOneError(bad), StringComparison.Ordinal);
    }

    private Task<ToolResult> WarmAsync(IEnumerable<string> arguments) =>
        DrydockRunner.RunAsync(DrydockRunner.ExecutablePath, ["warm", "--cache-dir", CacheDirectory, "--insecure-pull", .. arguments]);

    /// <summary>Builds with --cache-dir into an OCI layout (no push: the registry may be stopped) and unpacks the image with umoci.</summary>
    private async Task<(ToolResult Result, UnpackedImage Image)> BuildAsync(string dockerfile, params string[] extra)
    {
        using var context = new ContextDirectory().Dockerfile(dockerfile).File("app.txt", "app\n");
        var layout = _work.Combine("out");
        var build = await DrydockRunner.BuildAsync([
            "--isolation", "chroot", "--insecure-pull", "--no-push", "--destination", $"{_registry.Host}/app:built", "--oci-layout-path", layout,
            "--cache-dir", CacheDirectory, .. extra, context.Path]);
        DrydockRunner.Digest(build);
        return (build, await ImageInspector.UnpackLayoutAsync(layout, "built", _work.Combine("bundle")));
    }

    private async Task<string?> WarmedAnnotationAsync() =>
        (string?)Assert.Single(JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(CacheDirectory, "index.json")))!["manifests"]!.AsArray())!["annotations"]!["dev.drydock.warmed"];
}
