namespace Drydock.IntegrationTests.Building;

/// <summary>--custom-platform picks the base image's entry from an index and fills the TARGET* ARGs.</summary>
[Collection(RegistryCollections.Http)]
public sealed class PlatformTests(HttpRegistry server)
{
    [RootTheory]
    [InlineData("linux/arm64", "arm64")]
    [InlineData("linux/amd64", "amd64")]
    public async Task The_base_is_pulled_for_the_custom_platform(string platform, string architecture)
    {
        var index = await BaseImages.SeedMultiArchAsync(server);
        using var context = new ContextDirectory().Dockerfile($"""
            FROM {index.Reference}
            ARG TARGETARCH
            LABEL built.for=$TARGETARCH
            COPY Dockerfile /Dockerfile
            """);
        var reference = server.Reference(RegistryServer.NewRepository("platform") + ":latest").ToString();

        var result = await DrydockRunner.BuildAsync(["--insecure", "--custom-platform", platform, "--destination", reference, context.Path]);
        DrydockRunner.Digest(result);

        var config = await new ImageInspector(server).ConfigAsync(reference);
        Assert.Equal(architecture, config["architecture"]!.GetValue<string>());
        Assert.Equal(architecture, config["config"]!["Labels"]!["built.for"]!.GetValue<string>());
        var pulled = architecture == "arm64" ? index.Arm64ManifestDigest : index.Amd64ManifestDigest;
        Assert.Contains(pulled, result.StandardError, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task A_malformed_platform_is_one_clear_error()
    {
        using var context = new ContextDirectory().Dockerfile("FROM scratch\n");
        var result = await DrydockRunner.BuildAsync(["--no-push", "--custom-platform", "linux", context.Path]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("invalid --custom-platform 'linux'", result.StandardError, StringComparison.Ordinal);
    }
}
