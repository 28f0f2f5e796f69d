using System.Text.Json.Nodes;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// A RUN's HOME is its user's passwd home (/ without an entry), as runc gives it; WORKDIR creates
/// the directories it lacks owned by the USER as BuildKit's mkdir resolves it (a name takes its
/// passwd uid and gid, a number is uid and gid both, a group after ':' replaces the gid), leaving
/// existing ones alone. buildah agrees with BuildKit on all of it, so the same Dockerfile built by
/// `buildah bud` is the reference.
/// </summary>
public sealed class RunHomeAndWorkdirOwnerTests(RunHomeAndWorkdirOwnerTests.Fixture fixture) : IClassFixture<RunHomeAndWorkdirOwnerTests.Fixture>
{
    private const string Dockerfile = RunBuildContexts.BusyboxStage + """
        COPY passwd group /etc/
        RUN mkdir -p /root /home/alice && chown 1000:1000 /home/alice && echo root > $HOME/home-of-root
        USER alice:testgroup
        RUN echo alice > $HOME/home-of-alice
        USER 4242
        WORKDIR /w/numeric/sub
        RUN echo "$HOME" > home-of-4242
        USER web
        WORKDIR /w/web/sub
        USER 33
        WORKDIR /w/by-id
        USER alice:testgroup
        WORKDIR /w/web/sub/alice
        USER root
        ARG HOME=/from-arg
        RUN mkdir $HOME && echo arg > $HOME/home-from-arg

        """;

    // web's passwd gid (44) differs from its uid, so "web" and "33" own differently.
    private const string Passwd = "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\nweb:x:33:44::/var/www:/bin/sh\n";
    private const string Group = "root:x:0:\nalice:x:1000:\ntestgroup:x:3000:\n";

    /// <summary>The Dockerfile's context: busybox, passwd and group (also built in place, Deploy/InPlaceDifferentialTests).</summary>
    internal static ContextDirectory NewContext() => RunBuildContexts.WithBusybox(Dockerfile).File("passwd", Passwd).File("group", Group);

    [RootFact]
    public async Task Run_writes_to_the_home_of_its_user_and_to_slash_for_a_user_without_an_entry()
    {
        var (drydock, buildah) = await fixture.BuildAsync();
        string[] paths = ["/root/home-of-root", "/home/alice/home-of-alice", "/w/numeric/sub/home-of-4242", "/from-arg/home-from-arg"];

        Assert.Equal(
            ["/root/home-of-root 0:0 644", "/home/alice/home-of-alice 1000:3000 644", "/w/numeric/sub/home-of-4242 4242:0 644", "/from-arg/home-from-arg 0:0 644"],
            await StatAsync(drydock, paths));
        Assert.Equal(await StatAsync(buildah, paths), await StatAsync(drydock, paths));
        Assert.Equal("/\n", await File.ReadAllTextAsync(drydock.HostPath("/w/numeric/sub/home-of-4242")));
    }

    [RootFact]
    public async Task Home_stays_out_of_the_image_config()
    {
        var (drydock, buildah) = await fixture.BuildAsync();
        var config = (await ImageConfigAsync(drydock))["config"]!;

        Assert.Equal(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], config["Env"]!.AsArray().Select(e => (string?)e));
        Assert.Equal((await ImageConfigAsync(buildah))["config"]!["Env"]!.ToJsonString(), config["Env"]!.ToJsonString());
        Assert.Equal("/w/web/sub/alice", (string?)config["WorkingDir"]);
    }

    // The image's own config: umoci's runtime config adds a HOME of its own.
    private static async Task<JsonNode> ImageConfigAsync(UnpackedImage image)
    {
        var manifest = await ImageInspector.LayoutManifestAsync(image.Layout, image.Tag);
        return await OciLayout.ReadJsonAsync(image.Layout, manifest["config"]!["digest"]!.GetValue<string>());
    }

    [RootFact]
    public async Task Workdir_creates_only_the_missing_directories_owned_by_the_user_with_mode_0755()
    {
        var (drydock, buildah) = await fixture.BuildAsync();
        string[] paths = ["/w", "/w/numeric", "/w/numeric/sub", "/w/web", "/w/web/sub", "/w/by-id", "/w/web/sub/alice"];

        Assert.Equal(
            [
                "/w 4242:4242 755", "/w/numeric 4242:4242 755", "/w/numeric/sub 4242:4242 755",
                "/w/web 33:44 755", "/w/web/sub 33:44 755", "/w/by-id 33:33 755", "/w/web/sub/alice 1000:3000 755",
            ],
            await StatAsync(drydock, paths));
        Assert.Equal(await StatAsync(buildah, paths), await StatAsync(drydock, paths));
    }

    private static async Task<IReadOnlyList<string>> StatAsync(UnpackedImage image, IEnumerable<string> paths)
    {
        var lines = new List<string>();
        foreach (var path in paths)
        {
            var result = await ToolRunner.RunCheckedAsync("stat", ["-c", "%u:%g %a", image.HostPath(path)]);
            lines.Add($"{path} {result.StandardOutput.Trim()}");
        }

        return lines;
    }

    /// <summary>The Dockerfile built once by Drydock and once by buildah (vfs, chroot isolation), both unpacked by umoci.</summary>
    public sealed class Fixture : IDisposable
    {
        private readonly TempDirectory _work = new("drydock-e2e-home-workdir-");
        private readonly SharedBuild<(UnpackedImage Drydock, UnpackedImage Buildah)> _build = new();

        public Task<(UnpackedImage Drydock, UnpackedImage Buildah)> BuildAsync() => _build.GetAsync(async () =>
        {
            using var context = NewContext();
            var drydock = BuildWithDrydockAsync(context);
            var buildah = BuildWithBuildahAsync(context);
            return (await drydock, await buildah);
        });

        public void Dispose() => _work.Dispose();

        private async Task<UnpackedImage> BuildWithDrydockAsync(ContextDirectory context)
        {
            var layout = _work.Combine("drydock-layout");
            DrydockRunner.Digest(await DrydockRunner.BuildAsync(
                ["--no-push", "--destination", "localhost/home-workdir:drydock", "--oci-layout-path", layout, context.Path]));
            return await ImageInspector.UnpackLayoutAsync(layout, "drydock", _work.Combine("drydock-bundle"));
        }

        private async Task<UnpackedImage> BuildWithBuildahAsync(ContextDirectory context)
        {
            string[] storage = ["--root", _work.Combine("buildah-root"), "--runroot", _work.Combine("buildah-run"), "--storage-driver", "vfs"];
            const string tag = "localhost/home-workdir:buildah";
            var options = new ToolOptions { Timeout = TimeSpan.FromMinutes(5) };
            await ToolRunner.RunCheckedAsync("buildah", [.. storage, "bud", "--isolation", "chroot", "-t", tag, context.Path], options);
            var layout = _work.Combine("buildah-layout");
            await ToolRunner.RunCheckedAsync("buildah", [.. storage, "push", "-D", tag, $"oci:{layout}:buildah"], options);
            return await ImageInspector.UnpackLayoutAsync(layout, "buildah", _work.Combine("buildah-bundle"));
        }
    }
}
