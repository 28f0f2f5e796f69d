using System.Text.Json.Nodes;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// Issue 11, items 2 and 4, built by the drydock CLI and by <c>buildah bud</c> (1.28, which agrees
/// with kaniko here) from one context: JSON-form instructions followed by a comment or other text
/// are the exec form with the text ignored, and an ARG name is expanded like its default.
/// </summary>
public sealed class JsonTrailingTextAndArgNameBuildTests(JsonTrailingTextAndArgNameBuildTests.Builds builds)
    : IClassFixture<JsonTrailingTextAndArgNameBuildTests.Builds>
{
    // The RUN that links busybox's applets has no shell to fall back on: only the exec form works.
    private const string Dockerfile = """
        FROM scratch
        COPY busybox /bin/busybox
        RUN ["/bin/busybox", "--install", "-s", "/bin"] # link the applets
        SHELL ["/bin/sh", "-c"] # the default, written out
        ENV src file3
        ARG ${src}=x
        ARG other=${src}
        RUN echo "[$file3] [$other]" > /out
        HEALTHCHECK CMD ["/bin/true"] # probe
        ENTRYPOINT ["myentrypoint"] # a comment
        CMD ["a", "b"] trailing words

        """;

    [RootFact]
    public async Task Entrypoint_and_cmd_with_trailing_text_are_the_exec_form_as_buildah_stores_them()
    {
        var (drydock, buildah) = await builds.GetAsync();

        Assert.Equal(["myentrypoint"], Strings(drydock.Config["Entrypoint"]));
        Assert.Equal(["a", "b"], Strings(drydock.Config["Cmd"]));
        Assert.Equal(["/bin/sh", "-c"], Strings(drydock.Config["Shell"]));
        Assert.Equal(Strings(buildah.Config["Entrypoint"]), Strings(drydock.Config["Entrypoint"]));
        Assert.Equal(Strings(buildah.Config["Cmd"]), Strings(drydock.Config["Cmd"]));
    }

    /// <summary>buildah drops HEALTHCHECK from OCI images, so only Drydock's config is checked.</summary>
    [RootFact]
    public async Task Healthcheck_with_a_trailing_comment_is_the_exec_form()
    {
        var (drydock, _) = await builds.GetAsync();

        Assert.Equal(["CMD", "/bin/true"], Strings(drydock.Config["Healthcheck"]?["Test"]));
    }

    [RootFact]
    public async Task An_arg_name_is_expanded_with_the_stage_s_environment_as_buildah_does()
    {
        var (drydock, buildah) = await builds.GetAsync();

        var written = await File.ReadAllTextAsync(drydock.Image.HostPath("/out"));
        Assert.Equal("[x] [file3]\n", written);
        Assert.Equal(await File.ReadAllTextAsync(buildah.Image.HostPath("/out")), written);
    }

    private static string[] Strings(JsonNode? array) => array?.AsArray().Select(n => n!.GetValue<string>()).ToArray() ?? [];

    /// <summary>One image of the Dockerfile: its config's <c>config</c> object and its unpacked tree.</summary>
    public sealed record Built(JsonNode Config, UnpackedImage Image);

    /// <summary>The Dockerfile built once by each builder, on first use, for every test of the class.</summary>
    public sealed class Builds : IDisposable
    {
        private static readonly ToolOptions Slow = new() { Timeout = TimeSpan.FromMinutes(5) };
        private readonly TempDirectory _work = new("drydock-e2e-json-arg-");
        private readonly SharedBuild<(Built Drydock, Built Buildah)> _shared = new();

        public Task<(Built Drydock, Built Buildah)> GetAsync() => _shared.GetAsync(BuildBothAsync);

        public void Dispose() => _work.Dispose();

        private async Task<(Built, Built)> BuildBothAsync()
        {
            using var context = RunBuildContexts.WithBusybox(Dockerfile);
            var drydock = BuildWithDrydockAsync(context);
            var buildah = BuildWithBuildahAsync(context);
            await Task.WhenAll(drydock, buildah);
            return (await drydock, await buildah);
        }

        private async Task<Built> BuildWithDrydockAsync(ContextDirectory context)
        {
            var layout = _work.Combine("drydock-layout");
            var result = await DrydockRunner.BuildAsync(["--no-push", "-t", "localhost/json-arg:drydock", "--oci-layout-path", layout, context.Path]);
            DrydockRunner.Digest(result);
            return await ReadAsync(layout, "drydock");
        }

        // As DifferentialBuilds runs it: vfs storage, chroot isolation, no network needed.
        private async Task<Built> BuildWithBuildahAsync(ContextDirectory context)
        {
            string[] storage = ["--root", _work.Combine("buildah-root"), "--runroot", _work.Combine("buildah-run"), "--storage-driver", "vfs"];
            const string Tag = "localhost/json-arg:buildah";
            await ToolRunner.RunCheckedAsync("buildah", [.. storage, "bud", "--isolation", "chroot", "-t", Tag, context.Path], Slow);
            var layout = _work.Combine("buildah-layout");
            await ToolRunner.RunCheckedAsync("buildah", [.. storage, "push", "-D", Tag, $"oci:{layout}:buildah"], Slow);
            await ToolRunner.RunCheckedAsync("buildah", [.. storage, "rmi", "-a", "-f"], Slow);
            return await ReadAsync(layout, "buildah");
        }

        private async Task<Built> ReadAsync(string layout, string tag)
        {
            var manifest = await ImageInspector.LayoutManifestAsync(layout, tag);
            var config = await OciLayout.ReadJsonAsync(layout, manifest["config"]!["digest"]!.GetValue<string>());
            var image = await ImageInspector.UnpackLayoutAsync(layout, tag, _work.Combine("bundle-" + tag));
            return new Built(config["config"]!, image);
        }
    }
}
