using Drydock.Context;

namespace Drydock.Building.Mounts;

/// <summary>What the mounts of a stage's RUNs read from.</summary>
/// <param name="Context">The build context (bind mounts without from=).</param>
/// <param name="RootfsOf">The root filesystem a from= value names: a stage built before, or an image.</param>
/// <param name="Cache">Where cache mounts persist.</param>
/// <param name="Secrets">The secrets given to the build.</param>
/// <param name="SshAgents">The ssh agents given to the build.</param>
/// <param name="ScratchRoot">Where a RUN's temporary files go (the build's work directory).</param>
/// <param name="Environment">The build's environment, which secrets given as variables are read from.</param>
internal sealed record RunMountSources(
    IBuildContext Context,
    Func<string, CancellationToken, Task<string>> RootfsOf,
    RunCacheStore Cache,
    IReadOnlyList<SecretSource> Secrets,
    IReadOnlyList<SshAgentSource> SshAgents,
    string ScratchRoot,
    Func<string, string?> Environment);
