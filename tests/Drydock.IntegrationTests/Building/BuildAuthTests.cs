using System.Text;

namespace Drydock.IntegrationTests.Building;

/// <summary>Basic auth from a Docker config.json found through DOCKER_CONFIG, for the base pull and the push.</summary>
[Collection(RegistryCollections.Auth)]
public sealed class BuildAuthTests(AuthRegistry server) : IDisposable
{
    private readonly TempDirectory _dockerConfig = new("drydock-e2e-dockerconfig-");

    [RootFact]
    public async Task Credentials_from_DOCKER_CONFIG_pull_the_base_and_push_the_image()
    {
        server.WriteDockerConfig(_dockerConfig.Path);

        var (result, reference) = await BuildAsync();

        Assert.Equal(DrydockRunner.Digest(result), await new ImageInspector(server).DigestAsync(reference));
        Assert.DoesNotContain(server.Password!, result.StandardError, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task A_wrong_password_fails_with_401_never_shows_a_password_and_pushes_nothing()
    {
        const string wrong = "wrong-password-31337";
        server.WriteDockerConfig(_dockerConfig.Path, wrong);

        var (result, reference) = await BuildAsync();

        Assert.True(result.ExitCode == 1, $"a refused login must fail the build with exit 1:\n{result}");
        var error = Assert.Single(DrydockRunner.ErrorLines(result));
        Assert.True(error.Contains("401", StringComparison.Ordinal) || error.Contains("unauthorized", StringComparison.OrdinalIgnoreCase), $"the error must say the registry refused the credentials:\n{result}");
        AssertNoSecret(result, wrong);

        await new ImageInspector(server).AssertAbsentAsync(reference, $"the build failed\n{result}");
    }

    /// <summary>
    /// The base comes from another registry that needs no login, so the build itself succeeds and
    /// the refusal comes at push time, where blob uploads and error paths differ from the pull.
    /// </summary>
    [RootFact]
    public async Task A_wrong_password_refused_only_at_push_time_fails_cleanly_and_pushes_nothing()
    {
        const string wrong = "push-time-wrong-4242";
        server.WriteDockerConfig(_dockerConfig.Path, wrong);
        var baseRegistry = await RegistryServer.StartAsync(RegistryMode.Tls);
        try
        {
            var seeded = await BaseImages.SeedBusyboxAsync(baseRegistry);
            using var context = new ContextDirectory()
                .Dockerfile($"FROM {seeded.Reference}\nRUN echo built > /built.txt\n");
            var reference = server.Reference(RegistryServer.NewRepository("auth-push") + ":latest").ToString();

            var result = await DrydockRunner.BuildAsync(
                [
                    "--registry-certificate", $"{server.Host}={server.CaCertificatePath}",
                    "--registry-certificate", $"{baseRegistry.Host}={baseRegistry.CaCertificatePath}",
                    "--skip-push-permission-check", "--destination", reference, context.Path,
                ],
                new Dictionary<string, string?> { ["DOCKER_CONFIG"] = _dockerConfig.Path });

            Assert.True(result.ExitCode == 1, $"a refused push must fail the build with exit 1:\n{result}");
            Assert.Contains("Step 1/1: RUN", result.StandardError, StringComparison.Ordinal);
            var error = Assert.Single(DrydockRunner.ErrorLines(result));
            Assert.True(error.Contains("401", StringComparison.Ordinal) || error.Contains("unauthorized", StringComparison.OrdinalIgnoreCase), $"the error must say the registry refused the credentials:\n{result}");
            Assert.Contains(server.Host, error, StringComparison.Ordinal);
            AssertNoSecret(result, wrong);
            await new ImageInspector(server).AssertAbsentAsync(reference, $"the push was refused\n{result}");
        }
        finally
        {
            await baseRegistry.DisposeAsync();
        }
    }

    public void Dispose() => _dockerConfig.Dispose();

    /// <summary>Neither the configured password, nor the real one, nor the config's base64 auth string may be printed.</summary>
    private void AssertNoSecret(ToolResult result, string configuredPassword)
    {
        var secrets = new[] { configuredPassword, server.Password!, Convert.ToBase64String(Encoding.UTF8.GetBytes($"{server.Username}:{configuredPassword}")) };
        for (var i = 0; i < secrets.Length; i++)
        {
            Assert.False(
                result.StandardError.Contains(secrets[i], StringComparison.Ordinal) || result.StandardOutput.Contains(secrets[i], StringComparison.Ordinal),
                $"drydock printed credential #{i} (0 = configured password, 1 = real password, 2 = base64 auth)");
        }
    }

    private async Task<(ToolResult Result, string Reference)> BuildAsync()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var context = new ContextDirectory()
            .Dockerfile($"FROM {seeded.Reference}\nCOPY auth.txt /auth.txt\n")
            .File("auth.txt", "with credentials\n");
        var reference = server.Reference(RegistryServer.NewRepository("auth") + ":latest").ToString();
        var result = await DrydockRunner.BuildAsync(
            ["--registry-certificate", $"{server.Host}={server.CaCertificatePath}", "--destination", reference, context.Path],
            new Dictionary<string, string?> { ["DOCKER_CONFIG"] = _dockerConfig.Path });
        return (result, reference);
    }
}
