using System.Text.Json.Nodes;

namespace Drydock.IntegrationTests.Building;

/// <summary>ENTRYPOINT with and without CMD, as stored in the config and as it runs from the unpacked image.</summary>
[Collection(RegistryCollections.Http)]
public sealed class EntrypointTests(HttpRegistry server) : IDisposable
{
    private readonly TempDirectory _work = new("drydock-e2e-entrypoint-");

    [RootFact]
    public async Task An_exec_form_ENTRYPOINT_takes_the_CMD_of_the_same_stage_as_arguments()
    {
        var (config, output) = await BuildAndRunAsync("""
            ENTRYPOINT ["/bin/echo", "entry"]
            CMD ["from-cmd"]
            """);

        Assert.Equal(["/bin/echo", "entry"], Strings(config["Entrypoint"]));
        Assert.Equal(["from-cmd"], Strings(config["Cmd"]));
        Assert.Equal("entry from-cmd\n", output);
    }

    /// <summary>Docker drops a CMD inherited from the base (busybox's ["sh"]) when the stage sets ENTRYPOINT.</summary>
    [RootFact]
    public async Task A_shell_form_ENTRYPOINT_runs_through_sh_and_drops_the_inherited_CMD()
    {
        var (config, output) = await BuildAndRunAsync("""
            ENV WHO=shell-form
            ENTRYPOINT echo "hello from $WHO"
            """);

        Assert.Equal(["/bin/sh", "-c", "echo \"hello from $WHO\""], Strings(config["Entrypoint"]));
        Assert.True(config["Cmd"] is null || config["Cmd"]!.AsArray().Count == 0, $"the base's CMD [\"sh\"] must be dropped: {config.ToJsonString()}");
        Assert.Equal("hello from shell-form\n", output);
    }

    public void Dispose() => _work.Dispose();

    private async Task<(JsonNode Config, string Output)> BuildAndRunAsync(string instructions)
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var context = new ContextDirectory().Dockerfile($"FROM {seeded.Reference}\n{instructions}\n");
        var reference = server.Reference(RegistryServer.NewRepository("entrypoint") + ":latest").ToString();

        var result = await DrydockRunner.BuildAsync(["--insecure", "--destination", reference, context.Path]);
        DrydockRunner.Digest(result);

        var inspector = new ImageInspector(server);
        var config = (await inspector.ConfigAsync(reference))["config"]!;
        var image = await inspector.UnpackAsync(reference, _work.Path);
        var run = await ImageInspector.RunCommandAsync(image);
        Assert.True(run.Succeeded, $"{run}\nbuild:\n{result}");
        return (config, run.StandardOutput);
    }

    private static string[] Strings(JsonNode? array) => array?.AsArray().Select(n => n!.GetValue<string>()).ToArray() ?? [];
}
