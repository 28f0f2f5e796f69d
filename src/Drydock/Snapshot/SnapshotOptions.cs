using Drydock.Foundation.Paths;

namespace Drydock.Snapshot;

/// <summary>How a snapshotter decides what changed. Both snapshotters take the same options and give the same diff.</summary>
public sealed record SnapshotOptions
{
    public static SnapshotOptions Default { get; } = new();

    public SnapshotMode Mode { get; init; } = SnapshotMode.Full;

    /// <summary>
    /// Image paths (and all beneath them) never reported: the system paths when the root is "/",
    /// the work directory, <c>--ignore-path</c>.
    /// </summary>
    public IReadOnlyList<string> IgnoredPaths { get; init; } = [];

    /// <summary>Directories listed and files hashed at once (0: one per processor; 1: one thread).</summary>
    public int Parallelism { get; init; }

    internal int EffectiveParallelism => Parallelism > 0 ? Parallelism : Environment.ProcessorCount;

    internal ImagePathSet IgnoredSet() => new(IgnoredPaths);
}
