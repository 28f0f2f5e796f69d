namespace Drydock.Building.Mounts;

/// <summary>What RUN --mount takes from the command line: where caches persist, the secrets and the ssh agents.</summary>
internal sealed record RunMountOptions(RunCacheStore Cache, IReadOnlyList<SecretSource> Secrets, IReadOnlyList<SshAgentSource> SshAgents)
{
    /// <summary>The agent named default (<c>--ssh default</c>), which git sources of ADD are fetched with, as in BuildKit.</summary>
    public string? SshAuthSocket => SshAgents.LastOrDefault(agent => agent.Id == SshAgentSource.DefaultId)?.SocketPath;

    public static RunMountOptions From(BuildOptions options) =>
        new(
            new RunCacheStore(options.RunCacheDirectory is { } directory ? Path.GetFullPath(directory) : RunCacheStore.DefaultRoot()),
            options.Secrets,
            options.SshAgents);
}
