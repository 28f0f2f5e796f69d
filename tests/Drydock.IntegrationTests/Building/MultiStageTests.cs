using System.Text.Json.Nodes;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// Multi-stage builds against the real registry: stages by name and index, an image as a COPY
/// source, ONBUILD triggers, predefined platform ARGs, --target and unused-stage skipping. Checked
/// with skopeo (config, history, layers) and umoci (files and owners).
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class MultiStageTests(HttpRegistry server) : IDisposable
{
    /// <summary>Stages by name, index and image, ONBUILD, an unused stage; BASE is the busybox image (also built in place: Deploy/InPlaceDifferentialTests).</summary>
    internal const string Dockerfile = """
        ARG BASE
        FROM ${BASE} AS builder
        RUN mkdir -p /out && echo "from builder" > /out/artifact && chown 1000:1000 /out/artifact
        ONBUILD RUN echo "onbuild ran" > /onbuild.txt

        FROM builder AS child
        RUN test -f /out/artifact

        FROM ${BASE} AS unused
        RUN exit 7

        FROM scratch
        ARG BASE
        ARG TARGETARCH
        LABEL arch=${TARGETARCH}
        COPY --from=builder /out/artifact /artifact
        COPY --from=1 /onbuild.txt /onbuild.txt
        COPY --from=${BASE} /bin/busybox /bin/busybox
        ENTRYPOINT ["/bin/busybox"]
        CMD ["cat", "/artifact"]
        """;

    private readonly TempDirectory _work = new("drydock-e2e-multistage-");

    [RootFact]
    public async Task The_final_stage_takes_files_from_stages_by_name_and_index_and_from_an_image()
    {
        var (result, reference) = await BuildAsync("final", "--label", "from.cli=yes");
        Assert.True(result.Succeeded, $"drydock failed:\n{result}");
        Assert.DoesNotContain("Stage unused", result.StandardError, StringComparison.Ordinal);

        var inspector = new ImageInspector(server);
        var config = await inspector.ConfigAsync(reference);
        var labels = config["config"]!["Labels"]!;
        Assert.Equal(System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "amd64", labels["arch"]!.GetValue<string>());
        Assert.Equal("yes", labels["from.cli"]!.GetValue<string>());
        Assert.Equal(3, (await inspector.ManifestAsync(reference))["layers"]!.AsArray().Count);
        Assert.Equal(
            ["COPY --from=builder /out/artifact /artifact", "COPY --from=1 /onbuild.txt /onbuild.txt", "COPY --from=${BASE} /bin/busybox /bin/busybox"],
            config["history"]!.AsArray().Where(h => h!["empty_layer"] is null).Select(h => h!["created_by"]!.GetValue<string>()));

        var image = await inspector.UnpackAsync(reference, Directory.CreateDirectory(_work.Combine("final")).FullName);
        Assert.Equal("from builder\n", await File.ReadAllTextAsync(image.HostPath("/artifact")));
        Assert.Equal("1000:1000", (await ImageInspector.StatAsync(image.HostPath("/artifact"))).Owner);
        Assert.Equal("onbuild ran\n", await File.ReadAllTextAsync(image.HostPath("/onbuild.txt")));
        var run = await ImageInspector.RunCommandAsync(image);
        Assert.Equal("from builder\n", run.StandardOutput);
    }

    [RootFact]
    public async Task Target_builds_a_stage_and_its_onbuild_triggers_stay_in_its_image_only()
    {
        var (builder, builderReference) = await BuildAsync("builder", "--target", "builder");
        Assert.True(builder.Succeeded, $"drydock failed:\n{builder}");
        var (child, childReference) = await BuildAsync("child", "--target", "child");
        Assert.True(child.Succeeded, $"drydock failed:\n{child}");
        Assert.DoesNotContain("Stage 3", child.StandardError, StringComparison.Ordinal);

        var inspector = new ImageInspector(server);
        var builderConfig = (await inspector.ConfigAsync(builderReference))["config"]!;
        Assert.Equal(["RUN echo \"onbuild ran\" > /onbuild.txt"], Strings(builderConfig["OnBuild"]));
        var childConfig = (await inspector.ConfigAsync(childReference))["config"]!;
        Assert.True(childConfig["OnBuild"] is null, $"a triggered image must not carry the triggers on: {childConfig.ToJsonString()}");
        var childImage = await inspector.UnpackAsync(childReference, Directory.CreateDirectory(_work.Combine("child")).FullName);
        Assert.Equal("onbuild ran\n", await File.ReadAllTextAsync(childImage.HostPath("/onbuild.txt")));
    }

    [RootFact]
    public async Task Executor_builds_every_stage_as_kaniko_does_and_a_failing_unused_stage_fails_the_build()
    {
        var reference = server.Reference(RegistryServer.NewRepository("multistage-executor") + ":latest").ToString();
        var result = await DrydockRunner.RunAsync(DrydockRunner.ExecutablePath, ["executor", .. await ArgumentsAsync(reference)]);

        Assert.Equal(7, result.ExitCode);
        Assert.Contains("Dockerfile:10:1: RUN: process \"/bin/sh -c exit 7\" did not complete successfully: exit code: 7", result.StandardError, StringComparison.Ordinal);
        await new ImageInspector(server).AssertAbsentAsync(reference, "the build failed");
    }

    [RootFact]
    public async Task An_unknown_target_is_one_clear_error()
    {
        var (result, _) = await BuildAsync("unknown", "--target", "nope");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("target stage \"nope\" could not be found", result.StandardError, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Stages_from_one_image_fetch_its_manifest_once()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var proxy = new FaultProxy(server);
        var viaProxy = proxy.Reference($"{seeded.Reference.Repository}:{seeded.Reference.Tag}");
        using var context = new ContextDirectory().Dockerfile($"""
            FROM {viaProxy} AS first
            RUN echo first > /first
            FROM {viaProxy}
            COPY --from=first /first /first
            """);

        var result = await DrydockRunner.BuildAsync(["--insecure-registry", proxy.Host, "--no-push", context.Path]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(proxy.Requests, r => r.Method == "GET" && r.Path.EndsWith($"/manifests/{seeded.Reference.Tag}", StringComparison.Ordinal));
    }

    public void Dispose() => _work.Dispose();

    private async Task<(ToolResult Result, string Reference)> BuildAsync(string name, params string[] flags)
    {
        var reference = server.Reference(RegistryServer.NewRepository("multistage-" + name) + ":latest").ToString();
        return (await DrydockRunner.BuildAsync([.. flags, .. await ArgumentsAsync(reference)]), reference);
    }

    private async Task<string[]> ArgumentsAsync(string reference)
    {
        await BaseImages.SeedBusyboxAsync(server);
        var context = _work.Combine("context");
        Directory.CreateDirectory(context);
        File.WriteAllText(Path.Combine(context, "Dockerfile"), Dockerfile);
        return ["--insecure", "--build-arg", $"BASE={server.Host}/busybox:latest", "--destination", reference, "--context", context];
    }

    private static string[] Strings(JsonNode? array) => array?.AsArray().Select(n => n!.GetValue<string>()).ToArray() ?? [];
}
