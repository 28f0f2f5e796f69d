using System.Text.Json.Nodes;
using Drydock.Reference;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// The walking skeleton end to end over plain HTTP: one Dockerfile using every instruction the
/// skeleton supports, built FROM the seeded busybox image by the real drydock command, then read
/// back with skopeo, unpacked with umoci and its CMD run with chroot. Built once, checked by many tests.
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class FullInstructionSetTests(HttpRegistry server, FullInstructionSetTests.Fixture fixture) : IClassFixture<FullInstructionSetTests.Fixture>
{
    /// <summary>
    /// Kept in one place so the expected history and layer count below read next to it.
    /// ENV on line 5 is the legacy "ENV NAME value" form; ARG OTHER keeps its default, GREETING is overridden.
    /// </summary>
    private const string DockerfileBody = """
        ARG GREETING=hi
        ARG OTHER=default
        ENV APP_HOME=/app MODE=test
        ENV LEGACY legacy value with spaces
        LABEL org.example.title="drydock e2e" org.example.version=1
        WORKDIR /app
        WORKDIR sub
        COPY hello.txt ./
        COPY tree /opt/tree
        COPY --chown=app:app owned.txt /home/app/owned.txt
        RUN echo "$GREETING $OTHER $APP_HOME $MODE" > /app/greeting.txt && pwd > /app/run-cwd.txt
        RUN ["/bin/sh", "-c", "echo json-form > /app/json.txt"]
        RUN rm /etc/base-marker
        USER app
        RUN echo "written by $(id -u):$(id -g)" > /home/app/mine.txt
        EXPOSE 8080 53/udp
        CMD ["sh", "-c", "cat /app/greeting.txt; id -u; echo \"mode=$MODE\"; pwd"]
        """;

    /// <summary>The Dockerfile on <paramref name="baseReference"/> with its context files (also built in place: Deploy/InPlaceDifferentialTests).</summary>
    internal static ContextDirectory NewContext(string baseReference) => new ContextDirectory()
        .Dockerfile($"FROM {baseReference}\n{DockerfileBody}\n")
        .File("hello.txt", "hello\n")
        .File("owned.txt", "owned\n")
        .File("tree/run.sh", "#!/bin/sh\necho run-me\n", ContextDirectory.Mode755)
        .File("tree/private.txt", "private\n", (UnixFileMode)0b110_100_000)
        .File("tree/sub/deeper/nested.txt", "nested\n")
        .Symlink("tree/link", "sub/deeper/nested.txt");

    /// <summary>What the build adds to the base's history: created_by and whether it has a layer.</summary>
    private static readonly (string CreatedBy, bool HasLayer)[] ExpectedHistory =
    [
        ("ARG GREETING=hi", false),
        ("ARG OTHER=default", false),
        ("ENV APP_HOME=/app MODE=test", false),
        ("ENV LEGACY legacy value with spaces", false),
        ("LABEL org.example.title=\"drydock e2e\" org.example.version=1", false),
        ("WORKDIR /app", true),
        ("WORKDIR sub", true),
        ("COPY hello.txt ./", true),
        ("COPY tree /opt/tree", true),
        ("COPY --chown=app:app owned.txt /home/app/owned.txt", true),
        ("RUN /bin/sh -c echo \"$GREETING $OTHER $APP_HOME $MODE\" > /app/greeting.txt && pwd > /app/run-cwd.txt", true),
        ("RUN /bin/sh -c echo json-form > /app/json.txt", true),
        ("RUN /bin/sh -c rm /etc/base-marker", true),
        ("USER app", false),
        ("RUN /bin/sh -c echo \"written by $(id -u):$(id -g)\" > /home/app/mine.txt", true),
        ("EXPOSE 8080 53/udp", false),
        ("CMD [\"sh\", \"-c\", \"cat /app/greeting.txt; id -u; echo \\\"mode=$MODE\\\"; pwd\"]", false),
    ];

    [RootFact]
    public async Task The_build_exits_0_and_prints_only_the_digest_the_registry_serves()
    {
        var built = await fixture.GetAsync(server);

        Assert.Equal(built.Digest, await new ImageInspector(server).DigestAsync(built.Reference));
        Assert.DoesNotContain("ERROR", built.Result.StandardError, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task The_config_carries_env_cmd_workdir_user_labels_ports_and_platform()
    {
        var built = await fixture.GetAsync(server);
        var config = built.Config["config"]!;
        var context = $"config:\n{built.Config.ToJsonString()}\n{built.Result}";

        Assert.Equal(
            ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "APP_HOME=/app", "MODE=test", "LEGACY=legacy value with spaces"],
            Strings(config["Env"]));
        Assert.Equal(["sh", "-c", "cat /app/greeting.txt; id -u; echo \"mode=$MODE\"; pwd"], Strings(config["Cmd"]));
        Assert.True(config["Entrypoint"] is null, $"no ENTRYPOINT was given, the base has none: {context}");
        Assert.Equal("/app/sub", (string?)config["WorkingDir"]);
        Assert.Equal("app", (string?)config["User"]);
        Assert.Equal(new Dictionary<string, string> { ["org.example.title"] = "drydock e2e", ["org.example.version"] = "1" }, Labels(config));
        Assert.Equal(["53/udp", "8080/tcp"], config["ExposedPorts"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal((string?)built.BaseConfig["architecture"], (string?)built.Config["architecture"]);
        Assert.Equal(Platform.Host.Architecture, (string?)built.Config["architecture"]);
        Assert.Equal("linux", (string?)built.Config["os"]);
        Assert.False(string.IsNullOrEmpty((string?)built.Config["created"]), context);
    }

    [RootFact]
    public async Task Build_arguments_are_not_persisted_in_the_image_env()
    {
        var built = await fixture.GetAsync(server);

        var env = Strings(built.Config["config"]!["Env"]);
        Assert.DoesNotContain(env, e => e.StartsWith("GREETING=", StringComparison.Ordinal) || e.StartsWith("OTHER=", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task The_history_keeps_the_base_and_records_every_instruction_with_empty_layer_for_config_only_ones()
    {
        var built = await fixture.GetAsync(server);
        var baseHistory = built.BaseConfig["history"]!.AsArray();
        var history = built.Config["history"]!.AsArray();
        var actual = history.Skip(baseHistory.Count)
            .Select(h => ((string?)h!["created_by"] ?? "", h["empty_layer"]?.GetValue<bool>() != true))
            .ToArray();

        Assert.True(history.Count == baseHistory.Count + ExpectedHistory.Length, $"history:\n{history.ToJsonString()}");
        Assert.Equal(baseHistory.Select(h => ((string?)h!["created_by"], h["empty_layer"]?.GetValue<bool>())), history.Take(baseHistory.Count).Select(h => ((string?)h!["created_by"], h["empty_layer"]?.GetValue<bool>())));
        Assert.Equal(ExpectedHistory, actual);
        Assert.All(history.Skip(baseHistory.Count), h => Assert.False(string.IsNullOrEmpty((string?)h!["created"]), $"every entry has a time: {h.ToJsonString()}"));
    }

    /// <summary>
    /// The base's history entries are the base's record, not ours: they must come through byte for
    /// byte, including Go's nanosecond timestamps (umoci writes 9 fractional digits).
    /// </summary>
    [RootFact]
    public async Task The_base_history_entries_are_carried_over_unchanged()
    {
        var built = await fixture.GetAsync(server);
        var baseHistory = built.BaseConfig["history"]!.AsArray();
        var history = built.Config["history"]!.AsArray();

        Assert.Equal(baseHistory.Select(h => h!.ToJsonString()), history.Take(baseHistory.Count).Select(h => h!.ToJsonString()));
    }

    [RootFact]
    public async Task The_manifest_has_the_base_layer_plus_one_per_filesystem_change()
    {
        var built = await fixture.GetAsync(server);
        var layers = built.Manifest["layers"]!.AsArray();
        var baseLayers = built.BaseManifest["layers"]!.AsArray();
        var withLayer = built.Config["history"]!.AsArray().Count(h => h!["empty_layer"]?.GetValue<bool>() != true);
        var context = $"manifest:\n{built.Manifest.ToJsonString()}";

        Assert.True(baseLayers.Count + ExpectedHistory.Count(e => e.HasLayer) == layers.Count, context);
        Assert.Equal(layers.Count, withLayer);
        Assert.Equal(layers.Count, built.Config["rootfs"]!["diff_ids"]!.AsArray().Count);
        Assert.Equal((string?)baseLayers[0]!["digest"], (string?)layers[0]!["digest"]);
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", (string?)built.Manifest["mediaType"]);
        Assert.Equal("application/vnd.oci.image.config.v1+json", (string?)built.Manifest["config"]!["mediaType"]);
        Assert.All(layers, l => Assert.Equal("application/vnd.oci.image.layer.v1.tar+gzip", (string?)l!["mediaType"]));
    }

    [RootFact]
    public async Task RUN_sees_build_arguments_env_and_workdir_and_the_JSON_form_runs_too()
    {
        var built = await fixture.GetAsync(server);

        Assert.Equal("hello default /app test\n", await ReadAsync(built, "/app/greeting.txt"));
        Assert.Equal("/app/sub\n", await ReadAsync(built, "/app/run-cwd.txt"));
        Assert.Equal("json-form\n", await ReadAsync(built, "/app/json.txt"));
    }

    [RootFact]
    public async Task WORKDIR_creates_its_directories()
    {
        var built = await fixture.GetAsync(server);

        Assert.Equal(new FileStat("directory", 0b111_101_101, 0, 0), await StatAsync(built, "/app"));
        Assert.Equal(new FileStat("directory", 0b111_101_101, 0, 0), await StatAsync(built, "/app/sub"));
    }

    [RootFact]
    public async Task COPY_keeps_contents_modes_symlinks_and_nested_directories()
    {
        var built = await fixture.GetAsync(server);

        Assert.Equal("hello\n", await ReadAsync(built, "/app/sub/hello.txt"));
        Assert.Equal(new FileStat("regular file", 0b110_100_100, 0, 0), await StatAsync(built, "/app/sub/hello.txt"));
        Assert.Equal("#!/bin/sh\necho run-me\n", await ReadAsync(built, "/opt/tree/run.sh"));
        Assert.Equal(new FileStat("regular file", 0b111_101_101, 0, 0), await StatAsync(built, "/opt/tree/run.sh"));
        Assert.Equal(new FileStat("regular file", 0b110_100_000, 0, 0), await StatAsync(built, "/opt/tree/private.txt"));
        Assert.Equal("nested\n", await ReadAsync(built, "/opt/tree/sub/deeper/nested.txt"));
        Assert.Equal(new FileStat("directory", 0b111_101_101, 0, 0), await StatAsync(built, "/opt/tree/sub/deeper"));
        Assert.Equal(new FileStat("symbolic link", 0b111_111_111, 0, 0), await StatAsync(built, "/opt/tree/link"));
        Assert.Equal("sub/deeper/nested.txt", new FileInfo(built.Image.HostPath("/opt/tree/link")).LinkTarget);

        // COPY of a directory copies its contents, not the directory itself.
        Assert.False(ImageInspector.Exists(built.Image.HostPath("/opt/tree/tree")), "COPY tree /opt/tree must not nest a second tree/");
    }

    [RootFact]
    public async Task COPY_chown_gives_the_named_user_and_group_numerically()
    {
        var built = await fixture.GetAsync(server);

        Assert.Equal("owned\n", await ReadAsync(built, "/home/app/owned.txt"));
        Assert.Equal(new FileStat("regular file", 0b110_100_100, 1000, 1000), await StatAsync(built, "/home/app/owned.txt"));
    }

    [RootFact]
    public async Task RUN_as_USER_app_writes_files_owned_by_1000()
    {
        var built = await fixture.GetAsync(server);

        Assert.Equal("written by 1000:1000\n", await ReadAsync(built, "/home/app/mine.txt"));
        Assert.Equal(1000, (await StatAsync(built, "/home/app/mine.txt")).Uid);
        Assert.Equal(1000, (await StatAsync(built, "/home/app/mine.txt")).Gid);
    }

    [RootFact]
    public async Task A_file_of_the_base_deleted_by_RUN_is_gone_and_its_neighbours_stay()
    {
        var built = await fixture.GetAsync(server);

        Assert.False(ImageInspector.Exists(built.Image.HostPath(BaseImages.MarkerPath)), "RUN rm must leave a whiteout that hides the base's file");
        Assert.True(File.Exists(built.Image.HostPath("/etc/passwd")), "the rest of /etc must stay");
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(built.Image.HostPath("/etc")), p => Path.GetFileName(p).StartsWith(".wh.", StringComparison.Ordinal));
    }

    [RootTheory]
    [InlineData("/proc")]
    [InlineData("/dev")]
    [InlineData("/sys")]
    [InlineData("/etc/hosts")]
    [InlineData("/etc/resolv.conf")]
    public async Task The_RUN_sandbox_mount_points_are_not_in_the_image(string path)
    {
        var built = await fixture.GetAsync(server);

        Assert.False(ImageInspector.Exists(built.Image.HostPath(path)), $"{path} is not in the base, so the image must not have it either");
        var layers = await ImageInspector.LayerEntriesAsync(built.Image.Layout, built.Image.Tag);
        Assert.DoesNotContain(layers.SelectMany(l => l), name => name == path.TrimStart('/') || name.StartsWith(path.TrimStart('/') + "/", StringComparison.Ordinal));
    }

    /// <summary>
    /// The sandbox creates and removes /etc/hosts and /etc/resolv.conf around each RUN; the layer
    /// must still hold only what the command itself changed, not /etc whose ctime moved.
    /// </summary>
    [RootFact]
    public async Task A_RUN_layer_holds_only_what_the_command_changed()
    {
        var built = await fixture.GetAsync(server);
        var layers = await ImageInspector.LayerEntriesAsync(built.Image.Layout, built.Image.Tag);
        var baseLayerCount = built.BaseManifest["layers"]!.AsArray().Count;
        var layerIndex = baseLayerCount + Array.FindIndex(ExpectedHistory.Where(e => e.HasLayer).ToArray(), e => e.CreatedBy.Contains("json-form", StringComparison.Ordinal));

        Assert.Equal(["app", "app/json.txt"], layers[layerIndex].Order(StringComparer.Ordinal));
    }

    [RootFact]
    public async Task The_CMD_runs_in_the_unpacked_rootfs_as_the_image_user_with_its_env_and_workdir()
    {
        var built = await fixture.GetAsync(server);
        var process = built.Image.RuntimeConfig["process"]!;

        Assert.Equal(1000, process["user"]!["uid"]!.GetValue<int>());
        Assert.Equal(1000, process["user"]!["gid"]!.GetValue<int>());
        Assert.Equal("/app/sub", (string?)process["cwd"]);
        var run = await ImageInspector.RunCommandAsync(built.Image);
        Assert.True(run.Succeeded, run.ToString());
        Assert.Equal("hello default /app test\n1000\nmode=test\n/app/sub\n", run.StandardOutput);
    }

    private static Task<string> ReadAsync(Built built, string imagePath) => File.ReadAllTextAsync(built.Image.HostPath(imagePath));

    private static Task<FileStat> StatAsync(Built built, string imagePath) => ImageInspector.StatAsync(built.Image.HostPath(imagePath));

    private static string[] Strings(JsonNode? array) => array?.AsArray().Select(n => n!.GetValue<string>()).ToArray() ?? [];

    private static Dictionary<string, string> Labels(JsonNode config) =>
        config["Labels"]?.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) ?? [];

    public sealed record Built(ToolResult Result, string Digest, string Reference, JsonNode BaseConfig, JsonNode BaseManifest, JsonNode Config, JsonNode Manifest, UnpackedImage Image);

    public sealed class Fixture : IDisposable
    {
        private readonly SharedBuild<Built> _build = new();
        private readonly TempDirectory _work = new("drydock-e2e-full-");

        public Task<Built> GetAsync(RegistryServer server) => _build.GetAsync(() => BuildAsync(server));

        public void Dispose() => _work.Dispose();

        private async Task<Built> BuildAsync(RegistryServer server)
        {
            var seeded = await BaseImages.SeedBusyboxAsync(server);
            using var context = NewContext(seeded.Reference.ToString());
            var reference = server.Reference(RegistryServer.NewRepository("full") + ":latest").ToString();

            var result = await DrydockRunner.BuildAsync(["--insecure", "--build-arg", "GREETING=hello", "--context", context.Path, "--dockerfile", context.DockerfilePath, "--destination", reference]);
            var digest = DrydockRunner.Digest(result);

            var inspector = new ImageInspector(server);
            return new Built(
                result,
                digest,
                reference,
                await inspector.ConfigAsync(seeded.Reference.ToString()),
                await inspector.ManifestAsync(seeded.Reference.ToString()),
                await inspector.ConfigAsync(reference),
                await inspector.ManifestAsync(reference),
                await inspector.UnpackAsync(reference, _work.Path));
        }
    }
}
