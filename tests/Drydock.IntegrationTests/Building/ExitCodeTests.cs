namespace Drydock.IntegrationTests.Building;

/// <summary>
/// A failed RUN ends the build with the command's own exit code, as kaniko's executor does (CI
/// scripts test it); a command killed by a signal gives 128+N, as a shell reports it. Still one
/// ERROR line naming the Dockerfile line, nothing on stdout.
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class ExitCodeTests(HttpRegistry server)
{
    [RootTheory]
    [InlineData("exit 7", 7)]
    [InlineData("exit 1", 1)]
    [InlineData("kill -9 $$", 137)]
    public async Task A_failed_RUN_ends_the_build_with_its_exit_code(string command, int exitCode)
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var context = new ContextDirectory().Dockerfile($"FROM {seeded.Reference}\nRUN true\nRUN {command}\n");

        var result = await DrydockRunner.BuildAsync(["--insecure-registry", server.Host, "--no-push", context.Path]);

        var error = DrydockRunner.AssertOneError(result, exitCode);
        Assert.Contains("Dockerfile:3", error, StringComparison.Ordinal);
        Assert.Contains($"exit code: {exitCode}", error, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Other_failures_stay_exit_code_1()
    {
        using var context = new ContextDirectory().Dockerfile("FROM scratch\nCOPY missing.txt /\n");

        var result = await DrydockRunner.BuildAsync(["--no-push", context.Path]);

        Assert.Contains("missing.txt", DrydockRunner.AssertOneError(result), StringComparison.Ordinal);
    }
}
