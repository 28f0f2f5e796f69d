using System.Text.Json.Nodes;
using Drydock.IntegrationTests.Building;

namespace Drydock.IntegrationTests.Cache;

/// <summary>
/// The layer cache against the real registry, with its access log on so downloads can be counted:
/// an identical rebuild runs nothing and downloads no layer, yet pushes the same image; a changed
/// context file re-runs its COPY and what follows; a changed build argument re-runs only the steps
/// after its ARG; an expired entry misses; a local OCI layout serves as the cache repository.
/// </summary>
public sealed class LayerCacheBuildTests : IAsyncLifetime, IDisposable
{
    private const string Dockerfile = """
        FROM {0}
        WORKDIR /app
        COPY app.txt ./
        RUN --mount=type=cache,target=/marks,id=marks echo first >> /marks/ran && cat app.txt > out1
        ARG FLAVOUR=plain
        RUN echo "$FLAVOUR" > flavour
        COPY other.txt ./
        RUN --mount=type=cache,target=/marks,id=marks echo third >> /marks/ran && cat other.txt > out3
        LABEL stage=final
        """;

    private readonly TempDirectory _work = new("drydock-layer-cache-");
    private RegistryServer _server = null!;
    private SeededImage _base = null!;

    public async Task InitializeAsync()
    {
        _server = await RegistryServer.StartWithAccessLogAsync();
        _base = await BaseImages.SeedBusyboxAsync(_server);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _work.Dispose();

    private string Marks => Path.Combine(_work.Path, "run-cache");

    private string[] RunLines => File.Exists(MarksFile) ? File.ReadAllLines(MarksFile) : [];

    private string MarksFile => Directory.EnumerateFiles(Marks, "ran", SearchOption.AllDirectories).Single();

    [RootFact]
    public async Task An_identical_rebuild_runs_nothing_downloads_no_layer_and_pushes_the_same_image()
    {
        using var context = Context();
        var destination = _server.Reference(RegistryServer.NewRepository("cached") + ":v1").ToString();

        var first = await BuildAsync(context, destination);
        var firstDigest = DrydockRunner.Digest(first);
        Assert.Equal(["first", "third"], RunLines);
        Assert.Equal(0, Count(first.StandardError, "[CACHED]"));
        await WaitForEntriesAsync(destination, 6, first);

        var layers = await LayerDigestsAsync(destination);
        var getsBefore = layers.Sum(_server.BlobGets);
        var second = await BuildAsync(context, destination);

        Assert.Equal(firstDigest, DrydockRunner.Digest(second));
        Assert.Equal(6, Count(second.StandardError, "[CACHED]"));
        Assert.Contains("Layer cache: 6 of 6 step(s)", second.StandardError, StringComparison.Ordinal);
        Assert.Equal(["first", "third"], RunLines);
        Assert.True(getsBefore == layers.Sum(_server.BlobGets), $"the cached rebuild downloaded a layer:\n{second}");
    }

    [RootFact]
    public async Task A_changed_context_file_reruns_its_copy_and_what_follows_and_names_the_file()
    {
        using var context = Context();
        var destination = _server.Reference(RegistryServer.NewRepository("changed-file") + ":v1").ToString();
        var first = await BuildAsync(context, destination);
        await WaitForEntriesAsync(destination, 6, first);

        context.File("other.txt", "other, changed\n");
        var second = await BuildAsync(context, destination);

        DrydockRunner.Digest(second);
        Assert.Equal(4, Count(second.StandardError, "[CACHED]"));
        Assert.Contains("COPY other.txt ./ [cache miss]", second.StandardError, StringComparison.Ordinal);
        Assert.Contains("other.txt changed", second.StandardError, StringComparison.Ordinal);
        Assert.Equal(["first", "third", "third"], RunLines);
        var image = await new ImageInspector(_server).UnpackAsync(destination, _work.Path);
        Assert.Equal("other, changed\n", await File.ReadAllTextAsync(image.HostPath("/app/out3")));
        Assert.Equal("app\n", await File.ReadAllTextAsync(image.HostPath("/app/out1")));
    }

    [RootFact]
    public async Task A_changed_build_argument_reruns_only_the_steps_after_its_arg_and_is_named_without_its_value()
    {
        using var context = Context();
        var destination = _server.Reference(RegistryServer.NewRepository("changed-arg") + ":v1").ToString();
        var first = await BuildAsync(context, destination);
        await WaitForEntriesAsync(destination, 6, first);

        var second = await BuildAsync(context, destination, "--build-arg", "FLAVOUR=s3cr3t-flavour");

        DrydockRunner.Digest(second);
        Assert.Equal(3, Count(second.StandardError, "[CACHED]"));
        Assert.Contains("RUN echo \"$FLAVOUR\" > flavour [cache miss]", second.StandardError, StringComparison.Ordinal);
        Assert.Contains("the build argument FLAVOUR changed", second.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-flavour", second.StandardError, StringComparison.Ordinal);
        Assert.Equal(["first", "third", "third"], RunLines);
        await WaitForEntriesAsync(destination, 9, second);
        foreach (var manifest in await CacheManifestsAsync(destination))
        {
            Assert.DoesNotContain("s3cr3t-flavour", manifest, StringComparison.Ordinal);
        }
    }

    [RootFact]
    public async Task An_expired_entry_misses_and_says_so()
    {
        using var context = Context();
        var destination = _server.Reference(RegistryServer.NewRepository("expired") + ":v1").ToString();
        var first = await BuildAsync(context, destination);
        await WaitForEntriesAsync(destination, 6, first);
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        var second = await BuildAsync(context, destination, "--cache-ttl", "2s");

        DrydockRunner.Digest(second);
        Assert.Equal(0, Count(second.StandardError, "[CACHED]"));
        Assert.Contains("the entry expired", second.StandardError, StringComparison.Ordinal);
        Assert.Equal(["first", "third", "first", "third"], RunLines);
    }

    [RootFact]
    public async Task A_local_layout_is_a_cache_repository_for_a_build_that_pushes_nothing()
    {
        using var context = Context();
        var layers = _work.Combine("layout-cache");
        string[] flags = ["--cache-repo", "oci:" + layers, "--no-push", "--tar-path", _work.Combine("image.tar")];

        var first = await BuildAsync(context, null, flags);
        var second = await BuildAsync(context, null, flags);

        Assert.Equal(DrydockRunner.Digest(first), DrydockRunner.Digest(second));
        Assert.Equal(6, Count(second.StandardError, "[CACHED]"));
        Assert.Equal(["first", "third"], RunLines);
        Assert.True(File.Exists(Path.Combine(layers, "index.json")));
    }

    /// <summary>
    /// Two stages, every step cached: the final stage copies from a builder stage whose files were
    /// never unpacked (the copy's key names the builder's layers), and no layer of either stage,
    /// nor of the base, is downloaded.
    /// </summary>
    [RootFact]
    public async Task A_multi_stage_rebuild_copies_from_a_cached_stage_without_unpacking_anything()
    {
        using var context = new ContextDirectory()
            .Dockerfile($"""
                FROM {_base.Reference} AS build
                COPY app.txt /src/
                RUN --mount=type=cache,target=/marks,id=marks echo build >> /marks/ran && mkdir /out && cp /src/app.txt /out/ && echo built > /out/stamp
                FROM {_base.Reference}
                COPY --from=build /out /app
                RUN --mount=type=cache,target=/marks,id=marks echo final >> /marks/ran && cat /app/stamp > /app/seen
                VOLUME /data
                """)
            .File("app.txt", "app\n");
        var destination = _server.Reference(RegistryServer.NewRepository("multi-stage") + ":v1").ToString();
        string[] cacheRepository = ["--cache-repo", $"{_server.Host}/{Drydock.Reference.ImageReference.Parse(destination).Repository}/cache"];
        var first = await BuildAsync(context, destination, cacheRepository);
        var digest = DrydockRunner.Digest(first);
        await WaitForEntriesAsync(destination, 4, first);
        var layers = await LayerDigestsAsync(destination);
        var getsBefore = layers.Sum(_server.BlobGets);

        var second = await BuildAsync(context, _server.Reference(RegistryServer.NewRepository("multi-stage-again") + ":v1").ToString(), cacheRepository);

        Assert.Equal(digest, DrydockRunner.Digest(second));
        Assert.Equal(4, Count(second.StandardError, "[CACHED]"));
        Assert.Equal(["build", "final"], RunLines);
        Assert.True(getsBefore == layers.Sum(_server.BlobGets), $"the cached rebuild downloaded a layer:\n{second}");
        Assert.Contains("Mounted", second.StandardError, StringComparison.Ordinal);
    }

    /// <summary>
    /// The cache repository sits behind a proxy that lets uploads start (so the check before the
    /// build passes) but refuses every manifest put there: each entry's store fails in the
    /// background, the build warns once per entry, pushes a good image and exits 0. The same build
    /// against the registry itself is <see cref="An_identical_rebuild_runs_nothing_downloads_no_layer_and_pushes_the_same_image"/>.
    /// </summary>
    [RootFact]
    public async Task A_cache_entry_that_cannot_be_stored_warns_and_the_image_is_still_pushed()
    {
        using var proxy = RefusingCacheWrites(request => request.IsManifest && request.Method == "PUT");
        using var context = Context();
        var repository = RegistryServer.NewRepository("cache-refused");
        var destination = _server.Reference(repository + ":v1").ToString();

        var build = await BuildAsync(context, destination, "--cache-repo", $"{proxy.Host}/{repository}/cache", "--insecure-registry", proxy.Host);

        var digest = DrydockRunner.Digest(build);
        Assert.True(6 == Count(build.StandardError, "was not stored in"), build.ToString());
        Assert.Contains("no writes to the cache here", build.StandardError, StringComparison.Ordinal);
        await AssertGoodImageAsync(destination, digest);
    }

    /// <summary>Refused from the start (no upload may begin), the cache is found unwritable before the build: one warning, then it is only read.</summary>
    [RootFact]
    public async Task A_cache_repository_that_refuses_uploads_is_found_before_the_build_and_only_read()
    {
        using var proxy = RefusingCacheWrites(request => request.Method is "POST" or "PUT" or "PATCH");
        using var context = Context();
        var repository = RegistryServer.NewRepository("cache-read-only");
        var destination = _server.Reference(repository + ":v1").ToString();

        var build = await BuildAsync(context, destination, "--cache-repo", $"{proxy.Host}/{repository}/cache", "--insecure-registry", proxy.Host);

        var digest = DrydockRunner.Digest(build);
        Assert.Equal(1, Count(build.StandardError, "cache entries cannot be stored in"));
        Assert.Equal(0, Count(build.StandardError, "was not stored in"));
        Assert.DoesNotContain(proxy.Requests, r => r.Method == "PUT" && r.IsManifest);
        await AssertGoodImageAsync(destination, digest);
    }

    /// <summary>A secret a cached RUN reads, and a build argument's value, are in no cache key, entry or log line.</summary>
    [RootFact]
    public async Task No_cache_entry_or_log_line_holds_a_secret_or_an_argument_value()
    {
        const string secret = "cache-secret-3f9d1c";
        const string argument = "cache-argument-7e2a4b";
        var secretFile = _work.Combine("token");
        await File.WriteAllTextAsync(secretFile, secret);
        using var context = new ContextDirectory().Dockerfile($"""
            FROM {_base.Reference}
            ARG TOKEN
            RUN --mount=type=secret,id=token wc -c < /run/secrets/token > /length && echo "$TOKEN" | wc -c > /arg-length
            """);
        var destination = _server.Reference(RegistryServer.NewRepository("cache-secret") + ":v1").ToString();
        string[] flags = ["--secret", $"id=token,src={secretFile}", "--build-arg", "TOKEN=" + argument];

        var first = await BuildAsync(context, destination, flags);
        DrydockRunner.Digest(first);
        await WaitForEntriesAsync(destination, 1, first);
        await File.WriteAllTextAsync(secretFile, secret + "-rotated");
        var second = await BuildAsync(context, destination, flags);

        Assert.Equal(1, Count(second.StandardError, "[CACHED]"));
        foreach (var text in (string[])[first.StandardError, second.StandardError, .. await CacheManifestsAsync(destination), .. await CacheConfigsAsync(destination)])
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(argument, text, StringComparison.Ordinal);
        }
    }

    /// <summary>A proxy in front of the registry that refuses, with DENIED, the writes to cache repositories <paramref name="refused"/> picks.</summary>
    private FaultProxy RefusingCacheWrites(Func<ProxiedRequest, bool> refused) => new(_server)
    {
        Faults = request => request.Path.Contains("/cache/", StringComparison.Ordinal) && refused(request)
            ? new Fault.Status(System.Net.HttpStatusCode.Forbidden, ErrorCode: "DENIED", ErrorMessage: "no writes to the cache here")
            : null,
    };

    private async Task AssertGoodImageAsync(string destination, string digest)
    {
        Assert.Equal(digest, await new ImageInspector(_server).DigestAsync(destination));
        var image = await new ImageInspector(_server).UnpackAsync(destination, _work.Path);
        Assert.Equal("other\n", await File.ReadAllTextAsync(image.HostPath("/app/out3")));
    }

    private ContextDirectory Context() => new ContextDirectory()
        .Dockerfile(string.Format(System.Globalization.CultureInfo.InvariantCulture, Dockerfile, _base.Reference))
        .File("app.txt", "app\n")
        .File("other.txt", "other\n");

    private Task<ToolResult> BuildAsync(ContextDirectory context, string? destination, params string[] flags) =>
        DrydockRunner.BuildAsync([
            "--cache", "--cache-copy-layers", "--reproducible", "--insecure-registry", _server.Host, "--verbosity", "debug",
            "--run-cache-dir", Marks, .. destination is null ? [] : new[] { "--destination", destination }, .. flags, context.Path,
        ]);

    private static int Count(string text, string what) => text.Split('\n').Count(line => line.Contains(what, StringComparison.Ordinal));

    private async Task<string[]> LayerDigestsAsync(string reference)
    {
        var manifest = await new ImageInspector(_server).ManifestAsync(reference);
        return [.. manifest["layers"]!.AsArray().Select(l => (string)l!["digest"]!)];
    }

    /// <summary>The manifests of the cache repository beside the destination, as the registry serves them.</summary>
    private async Task<IReadOnlyList<string>> CacheManifestsAsync(string destination)
    {
        var repository = Drydock.Reference.ImageReference.Parse(destination).Repository + "/cache";
        using var http = new HttpClient { BaseAddress = _server.BaseUri };
        var tags = JsonNode.Parse(await http.GetStringAsync($"v2/{repository}/tags/list"))!["tags"]!.AsArray().Select(t => (string)t!).ToArray();
        var manifests = new List<string>();
        foreach (var tag in tags)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/manifests/{tag}");
            request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
            using var response = await http.SendAsync(request);
            manifests.Add(await response.Content.ReadAsStringAsync());
        }

        return manifests;
    }

    /// <summary>The config blobs of the cache repository's entries.</summary>
    private async Task<IReadOnlyList<string>> CacheConfigsAsync(string destination)
    {
        var repository = Drydock.Reference.ImageReference.Parse(destination).Repository + "/cache";
        using var http = new HttpClient { BaseAddress = _server.BaseUri };
        var configs = new List<string>();
        foreach (var manifest in await CacheManifestsAsync(destination))
        {
            var digest = (string)JsonNode.Parse(manifest)!["config"]!["digest"]!;
            configs.Add(await http.GetStringAsync($"v2/{repository}/blobs/{digest}"));
        }

        return configs;
    }

    /// <summary>The build waits for its entries before it exits; this checks that they are there.</summary>
    private async Task WaitForEntriesAsync(string destination, int count, ToolResult build) =>
        Assert.True((await CacheManifestsAsync(destination)).Count >= count, $"expected {count} cache entries after:\n{build}");
}
