using System.Diagnostics;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// The push-access check against a registry with token auth, as GitLab's and Docker Hub's work: a
/// user who may pull a repository but not push to it (a CI job token reading another project)
/// is stopped before the build, in seconds, naming the destination; with push rights the check
/// passes and the image is pushed. The htpasswd side is <see cref="PushPermissionTests"/>.
/// </summary>
[Collection(RegistryCollections.TokenAuth)]
public sealed class TokenPushPermissionTests(TokenAuthRegistry server) : IDisposable
{
    private readonly TempDirectory _dockerConfig = new("drydock-e2e-tokencheck-");

    public void Dispose() => _dockerConfig.Dispose();

    [RootFact]
    public async Task A_user_who_may_only_pull_the_destination_is_stopped_before_the_build()
    {
        server.WriteDockerConfig(_dockerConfig.Path);
        using var context = await BusyboxContextAsync();
        var reference = server.Reference(RegistryServer.NewRepository(TokenService.ReadOnlyPrefix + "check") + ":latest").ToString();

        var clock = Stopwatch.StartNew();
        var result = await BuildAsync(reference, context);
        clock.Stop();

        var error = DrydockRunner.AssertOneError(result);
        Assert.Contains($"cannot push to {reference}", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Stage ", result.StandardError, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the check must fail fast, not after {clock.Elapsed}:\n{result}");
    }

    [RootFact]
    public async Task A_user_with_push_rights_passes_the_check_and_the_image_is_pushed()
    {
        server.WriteDockerConfig(_dockerConfig.Path);
        using var context = await BusyboxContextAsync();
        var reference = server.Reference(RegistryServer.NewRepository("tokencheck") + ":latest").ToString();

        var result = await BuildAsync(reference, context);

        Assert.Equal(DrydockRunner.Digest(result), await new ImageInspector(server).DigestAsync(reference));
    }

    private async Task<ContextDirectory> BusyboxContextAsync()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        return new ContextDirectory().Dockerfile($"FROM {seeded.Reference}\nRUN echo built > /built.txt\n");
    }

    private Task<ToolResult> BuildAsync(string reference, ContextDirectory context) =>
        DrydockRunner.BuildAsync(
            ["--insecure-registry", server.Host, "--destination", reference, context.Path],
            new Dictionary<string, string?> { ["DOCKER_CONFIG"] = _dockerConfig.Path });
}
