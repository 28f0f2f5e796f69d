using Drydock.Native;

namespace Drydock.Snapshot;

/// <summary>
/// The one definition of "changed" per <see cref="SnapshotMode"/>, shared by every snapshotter so
/// that the same step gives the same layer whichever of them found the diff.
/// </summary>
internal static class ChangeRules
{
    /// <summary>Whether the mode compares content (and so needs <see cref="ContentFingerprint"/>s).</summary>
    public static bool ComparesContent(SnapshotMode mode) => mode == SnapshotMode.Full;

    /// <summary>
    /// Whether the status fields the mode looks at differ. In <see cref="SnapshotMode.Full"/> a
    /// false answer still leaves the content (and xattrs) to compare.
    /// </summary>
    public static bool StatusDiffers(SnapshotMode mode, in FileRecord before, in FileRecord after) => mode switch
    {
        SnapshotMode.Redo => before != after,
        SnapshotMode.Time => before.Kind != after.Kind || before.ModificationTime != after.ModificationTime,
        SnapshotMode.Full => before.Kind != after.Kind
            || before.Mode != after.Mode
            || before.Uid != after.Uid
            || before.Gid != after.Gid
            || before.ModificationTime != after.ModificationTime

            // A directory's size tells how its entries are stored, not what it holds.
            || (after.Kind == FileKind.RegularFile && before.Size != after.Size)
            || before.RdevMajor != after.RdevMajor
            || before.RdevMinor != after.RdevMinor
            || before.LinkTarget != after.LinkTarget,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown snapshot mode."),
    };

    /// <summary>
    /// Whether adding or removing one name of a file with several names changes its other names:
    /// in place, it moves only the file's ctime (and link count), so the answer is whether the
    /// mode sees a ctime-only change.
    /// </summary>
    public static bool RemovingANameChangesTheOthers(SnapshotMode mode) =>
        StatusDiffers(mode, default, default(FileRecord) with { ChangeTime = new FileTime(1, 0) });
}
