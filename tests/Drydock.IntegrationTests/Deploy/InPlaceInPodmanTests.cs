using Drydock.IntegrationTests.Building;

namespace Drydock.IntegrationTests.Deploy;

/// <summary>
/// The executor image builds in place in the container kaniko's users run it in (podman, root with
/// Docker's 14 capabilities and default seccomp, no --privileged, where unshare and mount are
/// refused): a two-stage Dockerfile with RUN, COPY, COPY --from and every RUN mount type, the
/// project a bind mount as in a CI job; a --privileged container still gets the chroot isolation.
/// That the image is the one the chroot isolation builds on the host: InPlaceDifferentialTests.
/// </summary>
[Collection(ExecutorImages.Collection)]
public sealed class InPlaceInPodmanTests(ExecutorImages images) : IDisposable
{
    private const string ProjectPath = "/builds/group/project";
    /// <summary>The secret the Dockerfile's RUN checks, given as <c>--secret id=token,env=TOKEN</c>.</summary>
    internal const string Secret = "s3cret-in-podman";

    private const string Dockerfile = """
        FROM scratch AS tools
        COPY busybox /bin/busybox
        RUN ["/bin/busybox", "--install", "-s", "/bin"]
        ENV GREETING=hello
        WORKDIR /work
        RUN echo "$GREETING" > greeting && mkdir -p /opt/app && echo data > /opt/app/data && chown -R 1000:1000 /opt/app
        RUN --mount=type=secret,id=token,mode=0440,uid=1000 sh -c 'test "$(cat /run/secrets/token)" = s3cret-in-podman && stat -c "%a %u" /run/secrets/token > /secret-seen'
        RUN --mount=type=cache,target=/var/cache/app sh -c 'echo run >> /var/cache/app/log; wc -l < /var/cache/app/log | tr -d " " > /cache-count'
        RUN --mount=type=tmpfs,target=/work sh -c 'touch /work/x && ls /work > /tmpfs-seen'
        RUN --mount=type=bind,source=note,target=/etc/note sh -c 'cat /etc/note > /bind-seen'
        RUN env | sort > /env-seen

        FROM scratch
        COPY --from=tools /bin/busybox /bin/busybox
        RUN ["/bin/busybox", "mkdir", "/made-in-stage-2"]
        COPY --from=tools /opt/app /opt/app
        COPY --from=tools /work/greeting /secret-seen /cache-count /tmpfs-seen /bind-seen /env-seen /results/
        COPY note /note
        USER 1000
        CMD ["/bin/busybox", "cat", "/results/greeting"]

        """;

    private readonly TempDirectory _work = new("drydock-inplace-podman-");
    private readonly ContextDirectory _project = NewProject();

    public void Dispose()
    {
        _project.Dispose();
        _work.Dispose();
    }

    /// <summary>The project: the Dockerfile, busybox and the note it copies (also built by Deploy/InPlaceDifferentialTests).</summary>
    internal static ContextDirectory NewProject() => RunBuildContexts.WithBusybox(Dockerfile).File("note", "a note\n");

    [RootFact]
    public async Task A_two_stage_build_runs_in_place_and_leaves_the_project_and_the_executor_out()
    {
        var project = RootfsListing.Lines(_project.Path, withTimes: true);

        var (run, image) = await BuildInContainerAsync("first");

        Assert.Contains("isolation: none", run.StandardError, StringComparison.Ordinal);
        Assert.Equal(project, RootfsListing.Lines(_project.Path, withTimes: true));
        Assert.Equal(
            ["/bin", "/bin/busybox", "/made-in-stage-2", "/note", "/opt", "/opt/app", "/opt/app/data",
             "/results", "/results/bind-seen", "/results/cache-count", "/results/env-seen", "/results/greeting", "/results/secret-seen", "/results/tmpfs-seen"],
            RootfsListing.Paths(image.Rootfs));
        Assert.Equal("hello\n", await File.ReadAllTextAsync(image.HostPath("/results/greeting")));
        Assert.Equal("440 1000\n", await File.ReadAllTextAsync(image.HostPath("/results/secret-seen")));
        Assert.Equal("x\n", await File.ReadAllTextAsync(image.HostPath("/results/tmpfs-seen")));
        Assert.Equal("a note\n", await File.ReadAllTextAsync(image.HostPath("/results/bind-seen")));
        // Exactly the Dockerfile's environment: nothing of the executor's (its PATH, SSL_CERT_DIR, DOCKER_CONFIG, TOKEN).
        Assert.Equal(
            "GREETING=hello\nHOME=/\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nPWD=/work\nSHLVL=1\n",
            await File.ReadAllTextAsync(image.HostPath("/results/env-seen")));
        await ImageInspector.AssertInNoLayerAsync(image, Secret);
    }

    [RootFact]
    public async Task A_cache_directory_on_a_volume_is_kept_between_two_builds()
    {
        var (_, first) = await BuildInContainerAsync("first");
        var (_, second) = await BuildInContainerAsync("second");

        Assert.Equal("1\n", await File.ReadAllTextAsync(first.HostPath("/results/cache-count")));
        Assert.Equal("2\n", await File.ReadAllTextAsync(second.HostPath("/results/cache-count")));
    }

    [RootFact]
    public async Task A_privileged_container_gets_the_chroot_isolation()
    {
        var (run, image) = await BuildInContainerAsync("privileged", privileged: true);

        Assert.Contains("isolation: chroot", run.StandardError, StringComparison.Ordinal);
        Assert.Equal("hello\n", await File.ReadAllTextAsync(image.HostPath("/results/greeting")));
    }

    /// <summary>
    /// In place with a layer cache on a volume: the second build, after the note changed, takes the
    /// tools stage whole from the cache without unpacking it, until a COPY --from that missed needs
    /// its files; they are unpacked then (the stage's own root was handed to the next stage).
    /// </summary>
    [RootFact]
    public async Task A_partly_cached_build_in_place_unpacks_a_cached_stage_only_when_a_copy_needs_it()
    {
        using var project = RunBuildContexts.WithBusybox("""
            FROM scratch AS tools
            COPY busybox /bin/busybox
            RUN ["/bin/busybox", "--install", "-s", "/bin"]
            RUN mkdir -p /opt/app && echo data > /opt/app/data

            FROM scratch
            COPY --from=tools /bin/busybox /bin/busybox
            COPY note /note
            COPY --from=tools /opt/app /opt/app
            RUN ["/bin/busybox", "sh", "-c", "/bin/busybox cat /note /opt/app/data > /both"]
            """).File("note", "a note\n");
        var layers = Directory.CreateDirectory(_work.Combine("layers")).FullName;

        async Task<(ToolResult Run, UnpackedImage Image)> BuildAsync(string name)
        {
            var output = Directory.CreateDirectory(_work.Combine("cached-" + name)).FullName;
            var run = await images.Podman.RunAsync(
                images.Executor,
                entrypoint: null,
                ["--context", ProjectPath, "--no-push", "--destination", "localhost/cached:t", "--oci-layout-path", "/out/layout",
                 "--cache", "--cache-copy-layers", "--cache-repo", "oci:/layers", "--reproducible", "--verbosity", "debug"],
                volumes: [new(project.Path, ProjectPath), new(output, "/out"), new(layers, "/layers")]);
            Assert.True(run.Succeeded, run.ToString());
            return (run, await ImageInspector.UnpackLayoutAsync(Path.Combine(output, "layout"), "t", _work.Combine("bundle-cached-" + name)));
        }

        var (first, _) = await BuildAsync("first");
        project.File("note", "a changed note\n");
        var (second, image) = await BuildAsync("second");

        Assert.Contains("isolation: none", second.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("[CACHED]", first.StandardError, StringComparison.Ordinal);
        Assert.Equal(4, second.StandardError.Split('\n').Count(l => l.Contains("[CACHED]", StringComparison.Ordinal)));
        Assert.Contains("a source changed: note changed", second.StandardError, StringComparison.Ordinal);
        Assert.Equal("a changed note\ndata\n", await File.ReadAllTextAsync(image.HostPath("/both")));
        Assert.Equal(["/bin", "/bin/busybox", "/both", "/note", "/opt", "/opt/app", "/opt/app/data"], RootfsListing.Paths(image.Rootfs));
    }

    /// <summary>The executor image run as a Kubernetes Job would: arguments only, the project, an output and a cache volume.</summary>
    private async Task<(ToolResult Run, UnpackedImage Image)> BuildInContainerAsync(string name, bool privileged = false)
    {
        var output = Directory.CreateDirectory(_work.Combine("out-" + name)).FullName;
        var cache = Directory.CreateDirectory(_work.Combine("cache")).FullName;
        var run = await images.Podman.RunAsync(
            images.Executor,
            entrypoint: null,
            ["--context", ProjectPath, "--no-push", "--destination", "localhost/in-place:t", "--oci-layout-path", "/out/layout",
             "--secret", "id=token,env=TOKEN", "--reproducible", "--run-cache-dir", "/cache"],
            new Dictionary<string, string> { ["TOKEN"] = Secret },
            [new(_project.Path, ProjectPath), new(output, "/out"), new(cache, "/cache")],
            privileged);
        Assert.True(run.Succeeded, run.ToString());
        var image = await ImageInspector.UnpackLayoutAsync(Path.Combine(output, "layout"), "t", _work.Combine("bundle-" + name));
        return (run, image);
    }

}
