using System.Diagnostics;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// Every destination is checked for push access before the build, as kaniko checks it: a wrong
/// password fails in a second naming the destination, before any base is pulled or step run, and
/// leaves nothing in the registry. The real htpasswd registry answers.
/// </summary>
[Collection(RegistryCollections.Auth)]
public sealed class PushPermissionTests(AuthRegistry server) : IDisposable
{
    private readonly TempDirectory _dockerConfig = new("drydock-e2e-pushcheck-");

    public void Dispose() => _dockerConfig.Dispose();

    [RootFact]
    public async Task A_wrong_password_fails_before_the_build_naming_the_destination()
    {
        server.WriteDockerConfig(_dockerConfig.Path, "wrong-password-2718");
        using var context = await BusyboxContextAsync();
        var (reference, arguments) = Arguments("pushcheck-wrong", context);

        var clock = Stopwatch.StartNew();
        var result = await BuildAsync([.. arguments, "--verbosity", "debug"]);
        clock.Stop();

        var error = DrydockRunner.AssertOneError(result);
        Assert.Contains($"cannot push to {reference}", error, StringComparison.Ordinal);
        Assert.Contains("401", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Stage ", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("pulling", result.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the check must fail fast, not after {clock.Elapsed}:\n{result}");
        await new ImageInspector(server).AssertAbsentAsync(reference, $"the push check failed\n{result}");
    }

    [RootFact]
    public async Task Skipping_the_check_lets_the_build_run_until_the_refused_pull()
    {
        server.WriteDockerConfig(_dockerConfig.Path, "wrong-password-1414");
        using var context = await BusyboxContextAsync();
        var (reference, arguments) = Arguments("pushcheck-skipped", context);

        var result = await BuildAsync([.. arguments, "--skip-push-permission-check"]);

        var error = DrydockRunner.AssertOneError(result);
        Assert.DoesNotContain("cannot push to", error, StringComparison.Ordinal);
        Assert.Contains("401", error, StringComparison.Ordinal);
        await new ImageInspector(server).AssertAbsentAsync(reference, $"the pull was refused\n{result}");
    }

    [RootFact]
    public async Task The_right_password_passes_the_check_and_the_image_is_pushed()
    {
        server.WriteDockerConfig(_dockerConfig.Path);
        using var context = await BusyboxContextAsync();
        var (reference, arguments) = Arguments("pushcheck-right", context);

        var result = await BuildAsync(arguments);

        Assert.Equal(DrydockRunner.Digest(result), await new ImageInspector(server).DigestAsync(reference));
    }

    [RootFact]
    public async Task With_no_push_there_is_nothing_to_check()
    {
        server.WriteDockerConfig(_dockerConfig.Path, "wrong-password-1618");
        using var context = new ContextDirectory().Dockerfile("FROM scratch\nCOPY a.txt /\n").File("a.txt", "a\n");

        var result = await BuildAsync(["--no-push", "--destination", server.Reference("pushcheck-nopush:latest").ToString(), context.Path]);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private async Task<ContextDirectory> BusyboxContextAsync()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        return new ContextDirectory().Dockerfile($"FROM {seeded.Reference}\nRUN echo built > /built.txt\n");
    }

    private (string Reference, string[] Arguments) Arguments(string name, ContextDirectory context)
    {
        var reference = server.Reference(RegistryServer.NewRepository(name) + ":latest").ToString();
        return (reference, ["--registry-certificate", $"{server.Host}={server.CaCertificatePath}", "--destination", reference, context.Path]);
    }

    private Task<ToolResult> BuildAsync(string[] arguments) =>
        DrydockRunner.BuildAsync(arguments, new Dictionary<string, string?> { ["DOCKER_CONFIG"] = _dockerConfig.Path });
}
