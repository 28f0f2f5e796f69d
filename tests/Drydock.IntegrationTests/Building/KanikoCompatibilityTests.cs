namespace Drydock.IntegrationTests.Building;

/// <summary>
/// Drop-in for kaniko: the executor image ships drydock as /kaniko/executor, and CI templates call
/// it with kaniko's flags, including <c>--context dir://…</c>. Docker-style short flags work too.
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class KanikoCompatibilityTests(HttpRegistry server) : IDisposable
{
    private readonly TempDirectory _bin = new("drydock-e2e-bin-");

    [RootFact]
    public async Task A_link_named_executor_is_drydock_executor()
    {
        var executor = _bin.Combine("executor");
        File.CreateSymbolicLink(executor, DrydockRunner.ExecutablePath);

        await BuildAndCheckAsync((context, destination) => DrydockRunner.RunAsync(executor, [
            "--context", context.Path, "--dockerfile", context.DockerfilePath, "--destination", destination, "--insecure"]));
    }

    [RootFact]
    public async Task The_executor_subcommand_takes_kaniko_flags()
    {
        await BuildAndCheckAsync((context, destination) => DrydockRunner.RunAsync(DrydockRunner.ExecutablePath, [
            "executor", "--context", context.Path, "--dockerfile", context.DockerfilePath, "--destination", destination, "--insecure"]));
    }

    [RootFact]
    public async Task A_dir_scheme_context_is_accepted()
    {
        await BuildAndCheckAsync((context, destination) => DrydockRunner.BuildAsync([
            "--context", $"dir://{context.Path}", "--destination", destination, "--insecure"]));
    }

    [RootFact]
    public async Task Docker_style_short_flags_and_a_positional_context_work()
    {
        await BuildAndCheckAsync((context, destination) => DrydockRunner.BuildAsync([
            "-f", context.DockerfilePath, "-t", destination, "--insecure", context.Path]));
    }

    [RootFact]
    public async Task A_relative_dockerfile_is_found_in_the_context()
    {
        await BuildAndCheckAsync((context, destination) => DrydockRunner.BuildAsync([
            "-c", context.Path, "-f", "Dockerfile", "-d", destination, "--insecure"]));
    }

    public void Dispose() => _bin.Dispose();

    private async Task BuildAndCheckAsync(Func<ContextDirectory, string, Task<ToolResult>> build)
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var context = new ContextDirectory()
            .Dockerfile($"FROM {seeded.Reference}\nCOPY kaniko.txt /kaniko.txt\nRUN test -f /kaniko.txt\n")
            .File("kaniko.txt", "kaniko style\n");
        var destination = server.Reference(RegistryServer.NewRepository("kaniko") + ":latest").ToString();

        var result = await build(context, destination);

        var digest = DrydockRunner.Digest(result);
        Assert.Equal(digest, await new ImageInspector(server).DigestAsync(destination));
    }
}
