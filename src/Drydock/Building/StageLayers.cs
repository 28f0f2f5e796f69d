using Drydock.Dockerfile;
using Drydock.Oci;
using Drydock.Layers;
using Drydock.Snapshot;

namespace Drydock.Building;

/// <summary>
/// Turns what a stage's steps change into layers: prepares the directory each step writes through
/// (the rootfs itself when walking, an overlay mount over it otherwise), snapshots after each
/// step that may change files, and writes the diff as a layer from the rootfs (or, with a single
/// snapshot, one layer at the end of the stage).
/// </summary>
internal sealed class StageLayers(BuildState build, Stage stage, StageState state, string rootfs, ISnapshotter snapshotter)
{
    private string? _stepRoot;

    /// <summary>The directory the current step writes through, prepared once per step.</summary>
    public async Task<string> PrepareStepAsync(CancellationToken cancellationToken) =>
        _stepRoot ??= await snapshotter.PrepareStepAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Records a step that may have changed files: its layer, or an empty-layer entry when nothing changed.</summary>
    public async Task CommitAsync(string createdBy, DateTimeOffset created, CancellationToken cancellationToken)
    {
        if (build.Snapshots.SingleSnapshot)
        {
            state.AddEmptyLayerHistory(createdBy, created);
            return;
        }

        await WriteLayerAsync(createdBy, created, recordEmpty: true, cancellationToken).ConfigureAwait(false);
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
            await WriteLayerAsync("SNAPSHOT (--single-snapshot: every change of the stage)", build.Clock.Now, recordEmpty: false, cancellationToken).ConfigureAwait(false);
        }
        else if (_stepRoot is not null)
        {
            await snapshotter.SnapshotAsync(cancellationToken).ConfigureAwait(false);
            _stepRoot = null;
        }
    }

    private async Task WriteLayerAsync(string createdBy, DateTimeOffset created, bool recordEmpty, CancellationToken cancellationToken)
    {
        var diff = await snapshotter.SnapshotAsync(cancellationToken).ConfigureAwait(false);
        _stepRoot = null;
        if (diff.IsEmpty)
        {
            if (recordEmpty)
            {
                state.AddEmptyLayerHistory(createdBy, created);
            }

            return;
        }

        var mediaType = MediaTypes.LayerType(state.DockerMediaTypes, build.LayerWrite.Compression);
        var layer = await build.Streaming.WriteAsync(stage, follow => LayerWriter.WriteToDirectoryAsync(
            rootfs, diff, build.Work.Blobs, mediaType, build.LayerWrite, follow, cancellationToken)).ConfigureAwait(false);
        build.Log.Debug($"layer {layer.Descriptor.Digest}: {diff.Changed.Count} changed, {diff.Deleted.Count} deleted, {layer.Descriptor.Size} bytes");
        state.AddLayer(layer, createdBy, created);
    }
}
