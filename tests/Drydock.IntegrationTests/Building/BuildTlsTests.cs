namespace Drydock.IntegrationTests.Building;

/// <summary>Building against a registry whose certificate comes from the fixture's private CA.</summary>
[Collection(RegistryCollections.Tls)]
public sealed class BuildTlsTests(TlsRegistry server)
{
    [RootFact]
    public async Task With_the_registry_certificate_flag_the_build_pulls_and_pushes()
    {
        var (result, reference) = await BuildAsync(["--registry-certificate", $"{server.Host}={server.CaCertificatePath}"]);

        Assert.Equal(DrydockRunner.Digest(result), await new ImageInspector(server).DigestAsync(reference));
    }

    [RootFact]
    public async Task Without_the_CA_the_build_fails_naming_the_certificate_problem_and_pushes_nothing()
    {
        var (result, reference) = await BuildAsync([]);

        Assert.True(result.ExitCode == 1, $"an untrusted certificate must fail the build with exit 1:\n{result}");
        var error = Assert.Single(DrydockRunner.ErrorLines(result));
        Assert.Contains("certificate", error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(server.Host, error, StringComparison.Ordinal);
        Assert.Contains("--registry-certificate", error, StringComparison.Ordinal);
        Assert.Equal("", result.StandardOutput);
        await new ImageInspector(server).AssertAbsentAsync(reference, $"the build failed\n{result}");
    }

    [RootFact]
    public async Task With_skip_tls_verify_the_build_pulls_and_pushes()
    {
        var (result, reference) = await BuildAsync(["--skip-tls-verify"]);

        Assert.Equal(DrydockRunner.Digest(result), await new ImageInspector(server).DigestAsync(reference));
    }

    /// <summary>The message's advice must be something the command accepts (kaniko has the per-registry flag too).</summary>
    [RootFact]
    public async Task The_per_registry_flag_the_TLS_error_suggests_works()
    {
        var (failed, _) = await BuildAsync([]);
        var suggested = $"--skip-tls-verify-registry {server.Host}";
        Assert.True(failed.StandardError.Contains(suggested, StringComparison.Ordinal), $"the error suggests {suggested}:\n{failed}");

        var (result, reference) = await BuildAsync(["--skip-tls-verify-registry", server.Host]);

        Assert.Equal(DrydockRunner.Digest(result), await new ImageInspector(server).DigestAsync(reference));
    }

    private async Task<(ToolResult Result, string Reference)> BuildAsync(string[] flags)
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var context = new ContextDirectory()
            .Dockerfile($"FROM {seeded.Reference}\nCOPY tls.txt /tls.txt\n")
            .File("tls.txt", "over TLS\n");
        var reference = server.Reference(RegistryServer.NewRepository("tls") + ":latest").ToString();
        return (await DrydockRunner.BuildAsync([.. flags, "--destination", reference, context.Path]), reference);
    }
}
