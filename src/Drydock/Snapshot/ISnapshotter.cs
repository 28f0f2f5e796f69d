using Drydock.Layers;

namespace Drydock.Snapshot;

/// <summary>
/// Finds what a build step changed in a root file system. Implementations differ only in how they
/// find the diff (walking and comparing, or reading an overlay's upper directory); for the same
/// step and <see cref="SnapshotOptions"/> they give the same diff.
/// </summary>
/// <remarks>
/// Per step: <see cref="PrepareStepAsync"/> gives the directory the step must run in and write to
/// (RUN's root, COPY's destination root); after the step, <see cref="SnapshotAsync"/> returns the
/// diff, and from then on the rootfs given to <see cref="InitializeAsync"/> holds the result, so
/// the layer is written from there. Between steps nothing but the snapshotter may change the rootfs.
/// </remarks>
public interface ISnapshotter : IAsyncDisposable
{
    /// <summary>Records the current state of <paramref name="rootfs"/> as the baseline.</summary>
    Task InitializeAsync(string rootfs, CancellationToken cancellationToken);

    /// <summary>
    /// Makes ready the directory the next step runs in and returns it. Calling it again before
    /// <see cref="SnapshotAsync"/> returns the same directory (several instructions may make one
    /// layer, as with <c>--single-snapshot</c>).
    /// </summary>
    Task<string> PrepareStepAsync(CancellationToken cancellationToken);

    /// <summary>
    /// What changed since the baseline, as image paths inside the rootfs; the current state then
    /// becomes the new baseline. Without a prepared step nothing can have changed (the walking
    /// snapshotter still looks, so a rootfs written directly is seen too).
    /// </summary>
    Task<FilesystemDiff> SnapshotAsync(CancellationToken cancellationToken);
}
