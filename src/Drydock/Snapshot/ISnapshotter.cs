using Drydock.Layers;

namespace Drydock.Snapshot;

/// <summary>
/// Finds what a build step changed in a root file system. Implementations differ only in how they
/// find the diff (walking and comparing, or reading an overlay's upper directory).
/// </summary>
public interface ISnapshotter
{
    /// <summary>Records the current state of <paramref name="rootfs"/> as the baseline.</summary>
    Task InitializeAsync(string rootfs, CancellationToken cancellationToken);

    /// <summary>What changed since the baseline; the current state then becomes the new baseline.</summary>
    Task<FilesystemDiff> SnapshotAsync(CancellationToken cancellationToken);
}
