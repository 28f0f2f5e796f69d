using Drydock.Dockerfile;
using Drydock.Oci;
using Drydock.Layers;
using Drydock.Snapshot;

namespace Drydock.Building;

/// <summary>
/// Turns what a stage's steps change into layers: makes the stage's files ready the first time a
/// step needs them (and again after cache hits added layers), prepares the directory each step
/// writes through (the rootfs itself when walking, an overlay mount over it otherwise), snapshots
/// after each step that may change files, and writes the diff as a layer from the rootfs (or,
/// with a single snapshot, one layer at the end of the stage).
/// </summary>
internal sealed class StageLayers(BuildState build, Stage stage, StageState state, StageFiles files, ISnapshotter snapshotter)
{
    private string? _stepRoot;
    private bool _initialized;

    /// <summary>Whether the stage's files are unpacked and up to date, so no step has to wait for them.</summary>
    public bool FilesReady => _initialized && !files.HasPending;

    /// <summary>The directory the current step writes through, prepared once per step.</summary>
    public async Task<string> PrepareStepAsync(CancellationToken cancellationToken)
    {
        if (_stepRoot is not null)
        {
            return _stepRoot;
        }

        await files.UnpackPendingAsync(cancellationToken).ConfigureAwait(false);
        if (!_initialized)
        {
            await snapshotter.InitializeAsync(files.Rootfs, cancellationToken).ConfigureAwait(false);
            _initialized = true;
        }
        else
        {
            // What cached layers put there is in their own layers, not in the next step's.
            await snapshotter.SnapshotAsync(cancellationToken).ConfigureAwait(false);
        }

        _stepRoot = await snapshotter.PrepareStepAsync(cancellationToken).ConfigureAwait(false);
        files.ApplyDeferred(_stepRoot);
        return _stepRoot;
    }

    /// <summary>
    /// Adds a cached step's layer, to be unpacked when a later step needs the files. A step
    /// prepared before it (VOLUME's directories) is closed first: the cached layer already holds
    /// what that step would have added to the next snapshot.
    /// </summary>
    public async Task<HistoryEntry> AddCachedAsync(ILayer? layer, string createdBy, DateTimeOffset? created, string source, CancellationToken cancellationToken)
    {
        if (_stepRoot is not null)
        {
            await snapshotter.SnapshotAsync(cancellationToken).ConfigureAwait(false);
            _stepRoot = null;
        }

        if (layer is null)
        {
            return state.AddEmptyLayerHistory(createdBy, created);
        }

        var typed = MediaTypes.LayerType(state.DockerMediaTypes, MediaTypes.CompressionOf(layer.Descriptor.MediaType));
        var kept = files.Add(typed == layer.Descriptor.MediaType ? layer : new RetypedLayer(layer, typed), source);
        return state.AddLayer(kept, createdBy, created);
    }

    /// <summary>
    /// Records a step that may have changed files: its layer, or an empty-layer entry when nothing
    /// changed. Returns the layer (null when none) and the history entry.
    /// </summary>
    public async Task<(ILayer? Layer, HistoryEntry History)> CommitAsync(string createdBy, DateTimeOffset created, CancellationToken cancellationToken)
    {
        if (build.Snapshots.SingleSnapshot)
        {
            return (null, state.AddEmptyLayerHistory(createdBy, created));
        }

        var diff = await snapshotter.SnapshotAsync(cancellationToken).ConfigureAwait(false);
        _stepRoot = null;
        if (diff.IsEmpty)
        {
            return (null, state.AddEmptyLayerHistory(createdBy, created));
        }

        var layer = await WriteLayerAsync(diff, cancellationToken).ConfigureAwait(false);
        return (layer, state.AddLayer(layer, createdBy, created));
    }

    /// <summary>
    /// Ends the stage: with a single snapshot, writes its one layer. Otherwise what a step changed
    /// without a layer of its own (VOLUME's directories) and no later step committed stays in the
    /// stage's file system, for stages that copy from it, but in no layer, as kaniko leaves it;
    /// the overlay snapshotter merges it down here, where walking has it in place already.
    /// </summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        if (build.Snapshots.SingleSnapshot)
        {
            // No step needed the files: nothing changed them, unless changes wait for them.
            if (!_initialized && !files.HasDeferred)
            {
                return;
            }

            await PrepareStepAsync(cancellationToken).ConfigureAwait(false);
            var diff = await snapshotter.SnapshotAsync(cancellationToken).ConfigureAwait(false);
            _stepRoot = null;
            if (!diff.IsEmpty)
            {
                state.AddLayer(await WriteLayerAsync(diff, cancellationToken).ConfigureAwait(false), "SNAPSHOT (--single-snapshot: every change of the stage)", build.Clock.Now);
            }
        }
        else if (_stepRoot is not null)
        {
            await snapshotter.SnapshotAsync(cancellationToken).ConfigureAwait(false);
            _stepRoot = null;
        }
    }

    private async Task<FileLayer> WriteLayerAsync(FilesystemDiff diff, CancellationToken cancellationToken)
    {
        var mediaType = MediaTypes.LayerType(state.DockerMediaTypes, build.LayerWrite.Compression);
        var layer = await build.Streaming.WriteAsync(stage, follow => LayerWriter.WriteToDirectoryAsync(
            files.Rootfs, diff, build.Work.Blobs, mediaType, build.LayerWrite, follow, cancellationToken)).ConfigureAwait(false);
        build.Log.Debug($"layer {layer.Descriptor.Digest}: {diff.Changed.Count} changed, {diff.Deleted.Count} deleted, {layer.Descriptor.Size} bytes");
        return layer;
    }
}
