using Drydock.Native;

namespace Drydock.Snapshot;

/// <summary>
/// The metadata of one path that a change must alter. Content changes move mtime and ctime; a file
/// replaced by another (rename over, delete and re-create) has another inode. atime is left out:
/// reading is not a change.
/// </summary>
internal readonly record struct FileRecord(
    FileKind Kind,
    uint Mode,
    uint Uid,
    uint Gid,
    long Size,
    FileTime ModificationTime,
    FileTime ChangeTime,
    ulong Device,
    ulong Inode,
    uint RdevMajor,
    uint RdevMinor,
    string? LinkTarget)
{
    public static FileRecord From(FileStatus status, string? linkTarget) => new(
        status.Kind,
        status.Mode,
        status.Uid,
        status.Gid,
        status.Size,
        status.ModificationTime,
        status.ChangeTime,
        status.Device,
        status.Inode,
        status.RdevMajor,
        status.RdevMinor,
        linkTarget);
}
