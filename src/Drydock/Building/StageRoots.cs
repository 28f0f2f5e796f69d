using Drydock.Dockerfile;
using Drydock.Foundation.Paths;

namespace Drydock.Building;

/// <summary>
/// Where each stage's root filesystem lives: a fresh directory of the work directory (chroot
/// isolation), or the one in-place root, which the next stage takes over once the files of the
/// stage before are moved out (into the work directory, where COPY --from and RUN --mount from=
/// find them).
/// </summary>
internal sealed class StageRoots(WorkDirectory work, InPlaceRoot? inPlace)
{
    private (Stage Stage, string Label)? _occupant;

    /// <summary>The in-place root, or null with chroot isolation.</summary>
    public InPlaceRoot? InPlace => inPlace;

    /// <summary>What extracting a base into a stage's root must leave alone.</summary>
    public ImagePathSet Ignored => inPlace?.Ignored ?? ImagePathSet.Empty;

    /// <summary>An empty root for the stage; in place, the stage before is moved out and the root reset first.</summary>
    public string ForStage(Stage stage, string label, BuiltStages stages, CancellationToken cancellationToken)
    {
        if (inPlace is null)
        {
            return work.NewRootfs(label);
        }

        if (_occupant is var (previous, previousLabel))
        {
            var saved = work.NewRootfs(previousLabel);
            inPlace.MoveOut(saved, cancellationToken);
            stages.Relocate(previous, saved);
        }

        inPlace.Reset(cancellationToken);
        _occupant = (stage, label);
        return inPlace.Root;
    }
}
