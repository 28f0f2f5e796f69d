namespace Drydock.IntegrationTests.Building;

/// <summary>
/// Issue 11, items 3 and 6, through the real CLI: a wildcard COPY/ADD source that matches nothing
/// is allowed beside others (BuildKit's AllowEmptyWildcard), and VOLUME creates a missing
/// directory in the next snapshot (kaniko, docker's classic builder, buildah). Where buildah
/// agrees, the unpacked trees are compared with <c>buildah bud</c>'s; where it does not, the
/// expectation is stated.
/// </summary>
public sealed class EmptyWildcardAndVolumeBuildTests(EmptyWildcardAndVolumeBuildTests.ComparedBuild compared)
    : IClassFixture<EmptyWildcardAndVolumeBuildTests.ComparedBuild>
{
    /// <summary>What buildah agrees on: nothing is written into a volume after VOLUME (buildah 1.28 drops such writes).</summary>
    private const string Compared = """
        FROM scratch AS files
        COPY context/ /ctx/

        FROM scratch
        COPY busybox /bin/busybox
        VOLUME /data /srv/cache
        RUN ["/bin/busybox", "true"]
        COPY context/doesnotexist* context/foo /copied/
        COPY --from=files /ctx/nothing* /ctx/foo /fromstage/
        COPY context/nothing* context/b* context/dir /globbed/
        ADD context/nothing* context/foo /added/

        """;

    // Only buildah's RUN mount points may be missing from Drydock's tree (see DifferentialTests).
    [RootFact]
    public async Task Empty_wildcards_and_volume_directories_match_buildah()
    {
        var (drydock, buildah) = await compared.GetAsync();

        var differences = RootfsListing.Differences(RootfsListing.Of(drydock), RootfsListing.Of(buildah), "drydock", "buildah")
            .Where(d => !(d.StartsWith(RootfsListing.OnlyIn("buildah"), StringComparison.Ordinal)
                && Layers.DifferentialTests.BuildahMountPoints.Contains(d.Split(' ')[2])))
            .ToList();

        Assert.True(differences.Count == 0, string.Join('\n', differences));
        Assert.Equal(["added/foo", "bin/busybox", "copied/foo", "data/", "fromstage/foo", "globbed/bar", "globbed/d", "srv/cache/"],
            RootfsListing.Tree(drydock).Where(p => !p.EndsWith('/') || p is "data/" or "srv/cache/"));
    }

    // BuildKit and kaniko (its Dockerfile_test_copy): the one file matched becomes "hello"; buildah 1.28 makes a directory of it.
    [RootFact]
    public async Task The_one_file_matched_beside_an_empty_wildcard_becomes_a_destination_without_slash()
    {
        using var context = Context("FROM scratch\nCOPY context/doesnotexist* context/foo hello\n");
        using var work = new TempDirectory("drydock-e2e-wildcard-");

        var image = await BuildAsync(context, work);

        Assert.Equal("foo\n", await File.ReadAllTextAsync(image.HostPath("/hello")));
    }

    [RootTheory]
    [InlineData("COPY nothing* none?.txt /x/", "no source files were specified: \"nothing*\" matches nothing", "\"none?.txt\"")]
    [InlineData("ADD nothing* /x/", "no source files were specified: \"nothing*\" matches nothing", "\"nothing*\"")]
    [InlineData("COPY context/nothing* context/missing /x/", "file not found in build context", "stat context/missing: file does not exist")]
    public async Task A_build_fails_when_no_source_matches_or_a_plain_source_is_missing(string line, string start, string names)
    {
        using var context = Context($"FROM scratch\n{line}\n");

        var result = await DrydockRunner.BuildAsync(["--no-push", context.Path]);

        var error = DrydockRunner.AssertOneError(result);
        Assert.StartsWith($"ERROR Dockerfile:2:1: {line.Split(' ')[0]}: {start}", error, StringComparison.Ordinal);
        Assert.Contains(names, error, StringComparison.Ordinal);
    }

    // kaniko and docker's classic builder create the directory; BuildKit leaves it missing and the RUN fails.
    // The write into the volume stays in the image, as with BuildKit (kaniko and buildah 1.28 drop it).
    [RootFact]
    public async Task Volume_creates_a_missing_directory_in_the_next_layer_and_leaves_an_existing_one_alone()
    {
        using var context = RunBuildContexts.WithBusybox(RunBuildContexts.BusyboxStage + """
            RUN mkdir -m 700 /keep && echo k > /keep/k && chown 5:6 /keep
            VOLUME /data /keep
            RUN echo x > /data/f
            VOLUME /last

            """);
        using var work = new TempDirectory("drydock-e2e-volume-");

        var image = await BuildAsync(context, work);

        var listing = RootfsListing.Of(image.Rootfs);
        Assert.StartsWith("Directory mode=755 owner=0:0", listing["/data"], StringComparison.Ordinal);
        Assert.Equal("x\n", await File.ReadAllTextAsync(image.HostPath("/data/f")));
        Assert.StartsWith("Directory mode=700 owner=5:6", listing["/keep"], StringComparison.Ordinal);
        Assert.Equal("k\n", await File.ReadAllTextAsync(image.HostPath("/keep/k")));

        // As in kaniko, VOLUME makes no layer of its own, so the last one's directory is in none.
        Assert.DoesNotContain("/last", listing.Keys);
        Assert.Equal(["/data", "/keep", "/last"], await VolumesAsync(image));
        var entries = await ImageInspector.LayerEntriesAsync(image.Layout, image.Tag);
        Assert.Equal(["data", "data/f"], entries[^1]);
    }

    private static ContextDirectory Context(string dockerfile) => new ContextDirectory()
        .Dockerfile(dockerfile)
        .File("context/foo", "foo\n")
        .File("context/bar", "bar\n")
        .File("context/dir/d", "d\n");

    private static async Task<UnpackedImage> BuildAsync(ContextDirectory context, TempDirectory work)
    {
        var layout = work.Combine("layout");
        DrydockRunner.Digest(await DrydockRunner.BuildAsync(["--no-push", "--destination", "localhost/issue11:t", "--oci-layout-path", layout, context.Path]));
        return await ImageInspector.UnpackLayoutAsync(layout, "t", work.Combine("bundle"));
    }

    private static async Task<IReadOnlyList<string>> VolumesAsync(UnpackedImage image)
    {
        var manifest = await ImageInspector.LayoutManifestAsync(image.Layout, image.Tag);
        var config = await OciLayout.ReadJsonAsync(image.Layout, manifest["config"]!["digest"]!.GetValue<string>());
        return [.. config["config"]!["Volumes"]!.AsObject().Select(p => p.Key)];
    }

    /// <summary>The build of <see cref="Compared"/> by both builders, once for the class, in a directory it removes at the end.</summary>
    public sealed class ComparedBuild : IDisposable
    {
        private readonly SharedBuild<(string Drydock, string Buildah)> _build = new();
        private readonly TempDirectory _work = new("drydock-e2e-issue11-");

        public Task<(string Drydock, string Buildah)> GetAsync() => _build.GetAsync(() => BuildBothAsync(_work));

        public void Dispose() => _work.Dispose();
    }

    private static async Task<(string Drydock, string Buildah)> BuildBothAsync(TempDirectory work)
    {
        using var context = Context(Compared);
        File.Copy("/bin/busybox", Path.Combine(context.Path, "busybox"));
        var drydock = await BuildAsync(context, work);

        string[] storage = ["--root", work.Combine("buildah/root"), "--runroot", work.Combine("buildah/run"), "--storage-driver", "vfs"];
        await ToolRunner.RunCheckedAsync("buildah", [.. storage, "bud", "--isolation", "chroot", "-t", "localhost/issue11:buildah", context.Path]);
        await ToolRunner.RunCheckedAsync("buildah", [.. storage, "push", "-D", "localhost/issue11:buildah", $"oci:{work.Combine("buildah-layout")}:b"]);
        var buildah = await ImageInspector.UnpackLayoutAsync(work.Combine("buildah-layout"), "b", work.Combine("buildah-bundle"));
        return (drydock.Rootfs, buildah.Rootfs);
    }
}
