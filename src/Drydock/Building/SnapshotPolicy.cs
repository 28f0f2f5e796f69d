using Drydock.Snapshot;

namespace Drydock.Building;

/// <summary>
/// How every stage of a build finds its changes, decided once per build: the snapshotter (overlay
/// or walk), what counts as a change, and whether a stage makes one layer or one per step.
/// </summary>
internal sealed record SnapshotPolicy(bool Overlay, SnapshotOptions Options, bool SingleSnapshot)
{
    /// <summary>Chooses overlay where asked for or, for auto, where mounting it works here.</summary>
    public static async Task<SnapshotPolicy> DecideAsync(
        SnapshotterKind kind, SnapshotOptions options, bool singleSnapshot, bool inPlace, WorkDirectory work, IBuildLog log, CancellationToken cancellationToken)
    {
        var overlay = kind switch
        {
            // In place the root is the container's own "/": nothing can be mounted over it.
            SnapshotterKind.Overlay when inPlace => throw new BuildException(
                "overlay snapshots need a stage root of its own to mount over; building in place (isolation none), changes are found by walking the root: choose the walk snapshotter"),
            _ when inPlace => false,
            SnapshotterKind.Overlay => true,
            SnapshotterKind.Walk => false,
            _ => await DetectOverlayAsync(work, log, cancellationToken).ConfigureAwait(false),
        };
        log.Debug($"snapshots: {(overlay ? "overlay" : "walk")}, mode {options.Mode}");
        return new SnapshotPolicy(overlay, options, singleSnapshot);
    }

    public ISnapshotter CreateSnapshotter(WorkDirectory work, string stageLabel) =>
        Overlay
            ? new OverlaySnapshotter(Path.Combine(work.Path, "overlay-" + stageLabel), Options)
            : new WalkingSnapshotter(Options);

    private static async Task<bool> DetectOverlayAsync(WorkDirectory work, IBuildLog log, CancellationToken cancellationToken)
    {
        var availability = await OverlaySupport.CheckAsync(work.Path, cancellationToken).ConfigureAwait(false);
        if (!availability.IsAvailable)
        {
            log.Debug($"overlay snapshots unavailable ({availability.Reason}); walking the filesystem instead");
        }

        return availability.IsAvailable;
    }
}
