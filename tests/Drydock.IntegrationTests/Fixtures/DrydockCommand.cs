namespace Drydock.IntegrationTests.Fixtures;

/// <summary>
/// Runs the real <c>drydock</c> apphost built next to the tests, as a script would. DOCKER_CONFIG
/// points to an empty directory unless the caller sets it, so the host's ~/.docker never takes part.
/// </summary>
public static class DrydockCommand
{
    public static string ExecutablePath { get; } = Path.Combine(AppContext.BaseDirectory, "drydock");

    public static async Task<ToolResult> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        using var noConfig = new TempDirectory("drydock-noconfig-");
        var variables = new Dictionary<string, string?> { ["DOCKER_CONFIG"] = noConfig.Path };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[name] = value;
        }

        return await ToolRunner.RunAsync(ExecutablePath, arguments, new ToolOptions { Environment = variables });
    }
}
