using Drydock.Foundation.Paths;
using Drydock.Layers;
using Drydock.Native;

namespace Drydock.Snapshot;

/// <summary>
/// Finds a step's changes in time proportional to the change: each step runs on an overlayfs
/// mount whose only lower directory is the rootfs and whose upper directory is fresh, so the
/// upper directory is the diff. After the step the mount goes away and the upper directory is
/// renamed down into the rootfs (see <see cref="OverlayMerge"/>), so between steps the rootfs is a
/// plain, complete directory, the same as with the walking snapshotter, and layers are written
/// from it. Needs the right to mount (root; see <see cref="OverlaySupport"/>).
/// </summary>
/// <remarks>
/// <para>
/// A file with several names stays one file, as in a walked rootfs: overlayfs (with index=on)
/// copies it up once for all its names, and the merge links the names the step did not use to
/// that copy, found through a <see cref="HardlinkIndex"/> of the rootfs. That index is built by
/// one walk per stage, in the background while the first step runs, and kept up to date from
/// each step's upper directory.
/// </para>
/// <para>
/// Known differences from a walk, inherent to overlayfs: a file opened for writing but left
/// unchanged is copied up, and so reported (with its other names) in <see cref="SnapshotMode.Redo"/>
/// mode (the other modes compare it with the lower file and drop it); a hardlinked lower file
/// changed through one name and then deleted through that same name leaves its other names as
/// they were, since no name of the step leads to the changed copy. Renaming a directory that came
/// from the lower directory fails with EXDEV (redirect_dir is off so the upper directory stays
/// complete); <c>mv</c> then copies.
/// </para>
/// </remarks>
public sealed class OverlaySnapshotter : ISnapshotter
{
    private readonly string _stateDirectory;
    private readonly SnapshotOptions _options;
    private readonly ImagePathSet _ignored;
    private OverlayMount? _mount;
    private Task<HardlinkIndex>? _links;
    private CancellationTokenSource? _stopLinks;

    /// <param name="stateDirectory">
    /// Where the upper, work and merged directories live: on the rootfs' file system, outside the rootfs.
    /// </param>
    public OverlaySnapshotter(string stateDirectory, SnapshotOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        ArgumentNullException.ThrowIfNull(options);
        _stateDirectory = ImagePaths.FullRoot(stateDirectory);
        _options = options;
        _ignored = options.IgnoredSet();
    }

    public Task InitializeAsync(string rootfs, CancellationToken cancellationToken)
    {
        var root = ImagePaths.FullRoot(rootfs);
        if (root == "/")
        {
            throw new NotSupportedException("The overlay snapshotter cannot mount over the live root '/'; use the walking snapshotter.");
        }

        if (!NativeFiles.TryLstat(root, out var rootStatus) || rootStatus.Kind != FileKind.Directory)
        {
            throw new DirectoryNotFoundException($"The root file system '{root}' does not exist.");
        }

        if (IsWithin(_stateDirectory, root) || IsWithin(root, _stateDirectory))
        {
            throw new ArgumentException($"The overlay state directory '{_stateDirectory}' and the rootfs '{root}' must not contain each other.");
        }

        Directory.CreateDirectory(_stateDirectory);
        if (NativeFiles.Lstat(_stateDirectory).Device != rootStatus.Device)
        {
            throw new NotSupportedException(
                $"The overlay state directory '{_stateDirectory}' is not on the file system of the rootfs '{root}'; steps could not be merged down by renaming.");
        }

        _mount = new OverlayMount(root, _stateDirectory);

        // Only the merge needs the index, and steps leave the rootfs alone until then.
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _stopLinks = stop;
        _links = Task.Run(() => HardlinkIndex.Build(root, _ignored, stop.Token), stop.Token);
        return Task.CompletedTask;
    }

    /// <summary>Mounts the step's overlay (once per step) and returns the merged directory to run the step in.</summary>
    public Task<string> PrepareStepAsync(CancellationToken cancellationToken)
    {
        var mount = _mount ?? throw NotInitialized();
        if (!mount.IsMounted)
        {
            mount.Mount();
        }

        return Task.FromResult(mount.Merged);
    }

    /// <summary>
    /// Unmounts, reads the diff from the upper directory and merges it down into the rootfs, where
    /// the layer is then written from. Without a prepared step the diff is empty.
    /// </summary>
    public async Task<FilesystemDiff> SnapshotAsync(CancellationToken cancellationToken)
    {
        var mount = _mount ?? throw NotInitialized();
        if (!mount.IsMounted)
        {
            return FilesystemDiff.Empty;
        }

        var copies = await Task.Run(() => OverlayCopies.Find(mount, cancellationToken), cancellationToken).ConfigureAwait(false);
        await mount.UnmountAsync().ConfigureAwait(false);
        var links = await _links!.ConfigureAwait(false);
        return await Task.Run(
            () =>
            {
                var step = new OverlayDiff(mount.Lower, mount.Upper, _options, _ignored, links, copies).Compute(cancellationToken);
                OverlayMerge.Merge(mount.Upper, mount.Lower, step.Relinks, cancellationToken);

                // The index's links to the copies go with the work directory: link counts are final only then.
                mount.RemoveScratch();
                links.Update(mount.Lower, step.Replaced, step.Linked);
                return step.Diff;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Unmounts a step left open (a failed build) without merging it, and removes the state
    /// directory: the rootfs keeps the state of the last snapshot.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_mount is { } mount)
        {
            await mount.UnmountAsync().ConfigureAwait(false);
            mount.RemoveScratch();
            Directory.Delete(_stateDirectory, recursive: true);
            _mount = null;

            // Stopped first, as a stage without steps never needed it. It only reads the rootfs, but
            // must not run on past the snapshotter; how it ended matters to no one now.
            await _stopLinks!.CancelAsync().ConfigureAwait(false);
            await ((Task)_links!).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _stopLinks.Dispose();
            _links = null;
        }
    }

    private static bool IsWithin(string path, string directory) =>
        path == directory || path.StartsWith(directory == "/" ? "/" : directory + "/", StringComparison.Ordinal);

    private static InvalidOperationException NotInitialized() =>
        new("InitializeAsync must be called before the first step or snapshot.");
}
