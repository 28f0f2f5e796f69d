namespace Drydock.Building.Mounts;

/// <summary>What RUN --mount takes from the build's options: where caches persist, the secrets and the ssh agents.</summary>
internal sealed record RunMountOptions(RunCacheStore Cache, IReadOnlyList<SecretSource> Secrets, IReadOnlyList<SshAgentSource> SshAgents)
{
    /// <summary>The agent named default, which git sources of ADD are fetched with, as in BuildKit.</summary>
    public string? SshAuthSocket => SshAgents.LastOrDefault(agent => agent.Id == SshAgentSource.DefaultId)?.SocketPath;
}
