using System.Runtime.Versioning;
using Drydock.Building;
using Drydock.Building.Mounts;
using Drydock.Context;
using Drydock.Sandbox;
using Drydock.Snapshot;

namespace Drydock.Tests.Building;

/// <summary>
/// Whole builds in place over a throwaway directory standing in for a container's "/" (never this
/// machine's own): the executor's directory, the debug shell and the project directory stay as
/// they were and out of the image, RUN mounts come and go, and the image is the very one the
/// chroot isolation builds from the same Dockerfile.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class InPlaceBuildTests : IDisposable
{
    private const string Dockerfile = """
        FROM scratch AS tools
        COPY busybox /bin/busybox
        RUN ["/bin/busybox", "--install", "-s", "/bin"]
        ENV GREETING=hello
        WORKDIR /work
        RUN echo "$GREETING" > greeting && mkdir -p /opt/app && echo data > /opt/app/data && chown -R 1000:1000 /opt/app && chmod 750 /opt/app
        RUN --mount=type=secret,id=token,mode=0440,uid=1000 sh -c 'test "$(cat /run/secrets/token)" = s3cret && stat -c "%a %u" /run/secrets/token > /secret-seen'
        RUN --mount=type=cache,target=/var/cache/app sh -c 'echo run >> /var/cache/app/log; wc -l < /var/cache/app/log | tr -d " " > /cache-count'
        RUN --mount=type=tmpfs,target=/work sh -c 'touch /work/x && ls /work > /tmpfs-seen'
        RUN --mount=type=bind,source=note,target=/etc/note sh -c 'cat /etc/note > /bind-seen'
        RUN <<EOF
        #!/bin/sh
        echo "a script from $0" > /script-seen
        EOF

        FROM scratch
        COPY --from=tools /bin/busybox /bin/busybox
        RUN ["/bin/busybox", "mkdir", "/made-in-stage-2"]
        COPY --from=tools /opt/app /opt/app
        COPY --from=tools /work/greeting /secret-seen /cache-count /tmpfs-seen /bind-seen /script-seen /results/
        COPY note /note
        USER 1000
        CMD ["/bin/busybox", "cat", "/results/greeting"]

        """;

    private readonly TempDirectory _dir = new("drydock-inplace-build-");

    public InPlaceBuildTests()
    {
        // What a kaniko-style container holds before the build: the executor, a debug shell, the
        // project (a bind mount there; named on the ignore list here), and files of its own image.
        Write("kaniko/executor", "the executor");
        Write("kaniko/.docker/config.json", "{}");
        Write("busybox/sh", "the debug shell");
        Write("workspace/left-by-the-executor-image", "x");
        Write("builds/project/Dockerfile", Dockerfile);
        Write("builds/project/note", "a note\n");
        File.Copy("/bin/busybox", Root("builds/project/busybox"));
        File.SetUnixFileMode(Root("builds/project/busybox"), (UnixFileMode)0b111_101_101);
        File.WriteAllText(_dir.Combine("token"), "s3cret");
    }

    public void Dispose() => _dir.Dispose();

    [RootFact]
    public async Task A_two_stage_build_in_place_gives_the_image_the_chroot_isolation_gives()
    {
        var project = RootfsListing.Of(Root("builds/project"), withTimes: true);
        var executor = RootfsListing.Of(Root("kaniko"), withTimes: true);

        var inPlace = await BuildAsync(Isolation.None);
        var chroot = await BuildAsync(Isolation.Chroot);

        Assert.Equal(chroot.Config.ToJsonString(), inPlace.Config.ToJsonString());
        Assert.Equal(chroot.Digest, inPlace.Digest);
        Assert.Equal(project, RootfsListing.Of(Root("builds/project"), withTimes: true));
        Assert.Equal(executor, RootfsListing.Of(Root("kaniko"), withTimes: true).Where(e => !e.Key.StartsWith("/run-cache", StringComparison.Ordinal)));
        Assert.Equal("the debug shell", File.ReadAllText(Root("busybox/sh")));
    }

    [RootFact]
    public async Task The_image_holds_the_stages_files_and_none_of_the_container_or_the_mounts()
    {
        var image = await BuildAsync(Isolation.None);
        var unpacked = await UnpackAsync(image);

        Assert.Equal(
            ["/bin", "/bin/busybox", "/made-in-stage-2", "/note", "/opt", "/opt/app", "/opt/app/data", "/results", "/results/bind-seen", "/results/cache-count", "/results/greeting", "/results/script-seen", "/results/secret-seen", "/results/tmpfs-seen"],
            RootfsListing.Paths(unpacked));
        Assert.Equal("440 1000\n", File.ReadAllText(Path.Combine(unpacked, "results/secret-seen")));
        Assert.Equal("x\n", File.ReadAllText(Path.Combine(unpacked, "results/tmpfs-seen")));
        Assert.Equal("a note\n", File.ReadAllText(Path.Combine(unpacked, "results/bind-seen")));
        Assert.Equal("a script from /dev/pipes/EOF\n", File.ReadAllText(Path.Combine(unpacked, "results/script-seen")));
        // The last stage is left on the root, as kaniko leaves it; no mount is.
        Assert.True(Directory.Exists(Root("made-in-stage-2")));
        Assert.False(Directory.Exists(Root("run")));
        Assert.False(Directory.Exists(Root("workspace")));
    }

    [RootFact]
    public async Task No_mount_reaches_a_layer_of_the_stage_that_used_them()
    {
        var image = await BuildAsync(Isolation.None, options => options with { Target = "tools" });
        var unpacked = await UnpackAsync(image);

        var paths = RootfsListing.Paths(unpacked);
        Assert.DoesNotContain(paths, p => p.StartsWith("/run", StringComparison.Ordinal) || p.StartsWith("/var", StringComparison.Ordinal) || p.StartsWith("/dev", StringComparison.Ordinal));
        Assert.DoesNotContain("/etc/note", paths);
        Assert.Equal(["/work/greeting"], paths.Where(p => p.StartsWith("/work/", StringComparison.Ordinal)));
        foreach (var layer in image.Manifest["layers"]!.AsArray())
        {
            var blob = Path.Combine(image.Layout, "blobs", "sha256", layer!["digest"]!.GetValue<string>()["sha256:".Length..]);
            await using var gzip = new System.IO.Compression.GZipStream(File.OpenRead(blob), System.IO.Compression.CompressionMode.Decompress);
            using var reader = new StreamReader(gzip);
            Assert.DoesNotContain("s3cret", await reader.ReadToEndAsync(), StringComparison.Ordinal);
        }
    }

    [RootFact]
    public async Task A_cache_directory_is_kept_between_builds_outside_the_root()
    {
        var first = await UnpackAsync(await BuildAsync(Isolation.None));
        var second = await UnpackAsync(await BuildAsync(Isolation.None));

        Assert.Equal("1\n", File.ReadAllText(Path.Combine(first, "results/cache-count")));
        Assert.Equal("2\n", File.ReadAllText(Path.Combine(second, "results/cache-count")));
        var cache = Assert.Single(Directory.GetDirectories(Root("kaniko/run-cache")));
        Assert.Equal("run\nrun\n", File.ReadAllText(Path.Combine(cache, "log")));
    }

    [RootFact]
    public async Task Cleanup_leaves_only_the_ignored_paths_and_the_builds_inputs_and_outputs_on_the_root()
    {
        // The project not on the ignore list (a clone, not a mount), the image saved on the root.
        await BuildAsync(Isolation.None, options => options with { Cleanup = true, IgnorePaths = [], OciLayoutPath = Root("workspace/layout") });

        Assert.Equal(["builds", "busybox", "kaniko", "workspace"], Directory.EnumerateFileSystemEntries(Root("")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["layout"], Directory.EnumerateFileSystemEntries(Root("workspace")).Select(Path.GetFileName));
        Assert.True(File.Exists(Root("workspace/layout/index.json")));
        Assert.True(File.Exists(Root("builds/project/Dockerfile")));
    }

    private async Task<BuiltImage> BuildAsync(Isolation isolation, Func<BuildOptions, BuildOptions>? change = null)
    {
        var layout = _dir.Combine("layout-" + Guid.NewGuid().ToString("N"));
        var options = new BuildOptions
        {
            Context = new ContextSource(Root("builds/project")),
            NoPush = true,
            OciLayoutPath = layout,
            Reproducible = true,
            Isolation = isolation,
            KanikoDirectory = Root("kaniko"),
            IgnorePaths = ["/builds/project"],
            Snapshotter = SnapshotterKind.Walk,
            Secrets = [SecretSource.FromFile("token", _dir.Combine("token"))],
            // The chroot build keeps its cache outside the throwaway root.
            RunCacheDirectory = isolation == Isolation.Chroot ? _dir.Combine("chroot-cache") : null,
        };
        var builder = new Builder(i => i == Isolation.None ? new InPlaceSandbox() : new ChrootSandbox(), new BuildScenario.NoCredentials(), new BuildScenario.Log(), _ => null)
        {
            InPlaceRoot = Root(""),
            Probes = new IsolationProbes(_ => Task.FromResult<string?>(null), () => "a throwaway root standing in for a container"),
        };
        options = change is null ? options : change(options);
        var digest = await builder.RunAsync(options, CancellationToken.None);
        return BuiltImage.Read(options.OciLayoutPath!, digest.ToString());
    }

    private async Task<string> UnpackAsync(BuiltImage image)
    {
        var target = _dir.Combine("unpacked-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(target);
        foreach (var layer in image.Manifest["layers"]!.AsArray())
        {
            var digest = layer!["digest"]!.GetValue<string>();
            await using var blob = File.OpenRead(Path.Combine(image.Layout, "blobs", "sha256", digest["sha256:".Length..]));
            await Drydock.Layers.LayerExtractor.ExtractAsync(blob, Drydock.Oci.LayerCompression.Gzip, target, CancellationToken.None);
        }

        return target;
    }

    private string Root(string relative) => Path.Combine(_dir.Combine("root"), relative);

    private void Write(string relative, string content)
    {
        var path = Root(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
