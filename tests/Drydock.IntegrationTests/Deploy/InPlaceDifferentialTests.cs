using Drydock.IntegrationTests.Building;
using Drydock.IntegrationTests.Layers;
using Drydock.Native;

namespace Drydock.IntegrationTests.Deploy;

/// <summary>
/// Same image either way: each Dockerfile below, taken from the integration tests that build it, is
/// built in place by the executor image in the unprivileged podman container (where namespaces are
/// refused, so <c>auto</c> picks <c>none</c>) and with <c>--isolation chroot</c> on the host, both
/// <c>--reproducible</c> from the same context: the manifest digests must match. When they do not, the
/// failure shows <c>diff -u</c> of the two configs, layer entry lists and unpacked file listings.
/// </summary>
/// <remarks>
/// Left out: DifferentialDockerfiles' "big" (50,000 files and a 1 GB sparse file: minutes for one
/// case, nothing the others lack) and RunMountBuildTests' Dockerfile, whose <c>RUN --network=none</c>
/// lists the network interfaces (in place there is no network namespace to make: the container's
/// are seen) and whose tmpfs check prints <c>df</c>'s size (in place the target is a directory of
/// the container's root); its heredocs are a case of their own.
/// </remarks>
[Collection(ExecutorImages.Collection)]
public sealed class InPlaceDifferentialTests(ExecutorImages images, HttpRegistry registry) : IClassFixture<HttpRegistry>, IDisposable
{
    private const string ProjectPath = "/builds/group/project";
    private const string Tag = "t";

    /// <summary>The Dockerfiles, each with its context, given the busybox base's reference (build argument BASE).</summary>
    private static readonly Dictionary<string, Func<string, Task<ContextDirectory>>> Cases = new(StringComparer.Ordinal)
    {
        // FROM scratch in two stages: COPY --from, ENV, WORKDIR, chown -R, USER and every RUN mount type.
        ["run-mounts"] = _ => Task.FromResult(InPlaceInPodmanTests.NewProject()),
        // Deletions and whiteouts (a file, a tree, a directory replaced by a file and back), hard and
        // symbolic links, setuid, setgid and sticky bits, owners and modes changed in a later layer.
        ["file-changes"] = _ => Task.FromResult(RunBuildContexts.WithBusybox(DifferentialDockerfiles.All.Single(d => d.Name == DifferentialDockerfiles.Changes).Text)),
        // On the registry's busybox: ARG, both ENV forms, LABEL, WORKDIR, COPY --chown, rm of a base file, a RUN as USER app.
        ["instructions-on-a-base"] = baseReference => Task.FromResult(FullInstructionSetTests.NewContext(baseReference)),
        // FROM <stage>, COPY --from a stage by name, by index and from an image, ONBUILD, an unused stage.
        ["stages"] = _ => Task.FromResult(new ContextDirectory().Dockerfile(MultiStageTests.Dockerfile)),
        // RUN's HOME and WORKDIR's owners for named, numeric and group-qualified USERs.
        ["home-and-workdir-owners"] = _ => Task.FromResult(RunHomeAndWorkdirOwnerTests.NewContext()),
        ["heredocs"] = _ => Task.FromResult(RunBuildContexts.WithBusybox(RunBuildContexts.BusyboxStage + "WORKDIR /out\n" + RunMountBuildTests.Heredocs)),
        ["add-local-tar"] = _ => AddLocalTarContextAsync(),
        // The README's example.
        ["examples-hello"] = _ => Task.FromResult(CopyOfExample("hello")),
    };

    private readonly TempDirectory _work = new("drydock-inplace-diff-");

    public static TheoryData<string> Names => [.. Cases.Keys];

    public void Dispose() => _work.Dispose();

    [RootTheory]
    [MemberData(nameof(Names))]
    public async Task The_image_built_in_place_is_the_one_the_chroot_isolation_builds_on_the_host(string name)
    {
        var seeded = await BaseImages.SeedBusyboxAsync(registry);
        using var project = await Cases[name](seeded.Reference.ToString());
        // --skip-unused-stages: the executor defaults to kaniko's false, the build command to true.
        string[] arguments =
        [
            "--skip-unused-stages=true",
            "--no-push", "--destination", $"localhost/in-place-diff:{Tag}", "--reproducible", "--insecure-registry", registry.Host,
            "--build-arg", $"BASE={seeded.Reference}", "--secret", "id=token,env=TOKEN",
        ];

        var output = Directory.CreateDirectory(_work.Combine("in-place")).FullName;
        var inPlace = images.Podman.RunAsync(
            images.Executor,
            entrypoint: null,
            [.. arguments, "--context", ProjectPath, "--oci-layout-path", "/test-output/layout", "--run-cache-dir", "/test-output/cache"],
            new Dictionary<string, string> { ["TOKEN"] = InPlaceInPodmanTests.Secret },
            [new(project.Path, ProjectPath), new(output, "/test-output")]);
        var chrootLayout = _work.Combine("chroot");
        var chroot = DrydockRunner.BuildAsync(
            [.. arguments, "--isolation", "chroot", "--context", project.Path, "--oci-layout-path", chrootLayout, "--run-cache-dir", _work.Combine("chroot-cache")],
            new Dictionary<string, string?> { ["TOKEN"] = InPlaceInPodmanTests.Secret });

        var (inPlaceRun, chrootRun) = (await inPlace, await chroot);
        Assert.True(inPlaceRun.Succeeded, inPlaceRun.ToString());
        Assert.Contains("isolation: none", inPlaceRun.StandardError, StringComparison.Ordinal);
        var inPlaceDigest = inPlaceRun.StandardOutput.Trim().Split('\n')[^1];
        if (inPlaceDigest != DrydockRunner.Digest(chrootRun))
        {
            Assert.Fail($"{name}: in place {inPlaceDigest}, chroot {chrootRun.StandardOutput.Trim()}\n" +
                await DifferencesAsync(Path.Combine(output, "layout"), chrootLayout));
        }
    }

    /// <summary>ADD of a GNU tar: owners, modes (setuid, a private directory), links, user and capability xattrs; a later RUN changes a hardlinked file.</summary>
    private static async Task<ContextDirectory> AddLocalTarContextAsync()
    {
        var context = RunBuildContexts.WithBusybox(RunBuildContexts.BusyboxStage + """
            ADD app.tar /opt/app/
            RUN chmod 0755 /opt/app/bin/tool && echo more >> /opt/app/share/data

            """);
        using var staging = new TempDirectory("drydock-tar-staging-");
        Directory.CreateDirectory(staging.Combine("bin"));
        Directory.CreateDirectory(staging.Combine("share"));
        Directory.CreateDirectory(staging.Combine("private"), (UnixFileMode)0b111_000_000);
        await File.WriteAllTextAsync(staging.Combine("bin/tool"), "#!/bin/sh\necho tool\n");
        File.SetUnixFileMode(staging.Combine("bin/tool"), (UnixFileMode)0b111_101_000);
        await ToolRunner.RunCheckedAsync("setcap", ["cap_net_bind_service+ep", staging.Combine("bin/tool")]);
        NativeFiles.SetXattr(staging.Combine("bin/tool"), "user.origin", "tar"u8);
        await File.WriteAllTextAsync(staging.Combine("bin/suid"), "suid\n");
        File.SetUnixFileMode(staging.Combine("bin/suid"), (UnixFileMode)0b100_111_101_101);
        await File.WriteAllTextAsync(staging.Combine("share/data"), "data\n");
        NativeFiles.Link(staging.Combine("share/data"), staging.Combine("share/hard"));
        File.CreateSymbolicLink(staging.Combine("share/link"), "data");
        await ToolRunner.RunCheckedAsync("tar", ["-C", staging.Path, "--owner=1234", "--group=4321", "--numeric-owner", "--xattrs", "--xattrs-include=*", "-cf", Path.Combine(context.Path, "app.tar"), "."]);
        return context;
    }

    /// <summary>A copy of <c>examples/NAME</c>, modes kept, so no build can touch the repository.</summary>
    private static ContextDirectory CopyOfExample(string name)
    {
        var example = Path.Combine(ExecutorImages.RepositoryRoot, "examples", name);
        var context = new ContextDirectory();
        foreach (var file in Directory.EnumerateFiles(example, "*", SearchOption.AllDirectories))
        {
            context.File(Path.GetRelativePath(example, file), File.ReadAllText(file), File.GetUnixFileMode(file));
        }

        return context;
    }

    /// <summary><c>diff -u</c> of the two images' configs, layer entries and unpacked files (each path's type, mode, owner, content, links, xattrs).</summary>
    private async Task<string> DifferencesAsync(string inPlaceLayout, string chrootLayout)
    {
        var report = new System.Text.StringBuilder();
        foreach (var (aspect, describe) in new (string, Func<string, string, Task<IEnumerable<string>>>)[]
        {
            ("config", async (layout, _) => [System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(ImageInspector.BlobPath(layout, (await ImageInspector.LayoutManifestAsync(layout, Tag))["config"]!["digest"]!.GetValue<string>())))!
                .ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })]),
            ("layers", async (layout, _) => (await ImageInspector.LayerEntriesAsync(layout, Tag)).SelectMany((entries, i) => entries.Prepend($"layer {i}:"))),
            ("files", async (layout, side) => RootfsListing.Lines((await ImageInspector.UnpackLayoutAsync(layout, Tag, _work.Combine("bundle-" + side))).Rootfs)),
        })
        {
            var inPlace = _work.Combine($"{aspect}.in-place");
            var chroot = _work.Combine($"{aspect}.chroot");
            await File.WriteAllLinesAsync(inPlace, await describe(inPlaceLayout, "in-place"));
            await File.WriteAllLinesAsync(chroot, await describe(chrootLayout, "chroot"));
            report.Append((await ToolRunner.RunAsync("diff", ["-u", inPlace, chroot])).StandardOutput);
        }

        return report.ToString();
    }
}
