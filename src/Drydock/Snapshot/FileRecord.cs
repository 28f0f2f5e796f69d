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
    /// <summary>The record of a path itself (a symlink is not followed), or null when it does not exist.</summary>
    public static FileRecord? TryRead(string hostPath) => TryRead(hostPath, out _);

    /// <summary><see cref="TryRead(string)"/>, also giving the whole status (the link count, which a record leaves out).</summary>
    public static FileRecord? TryRead(string hostPath, out FileStatus status)
    {
        if (!NativeFiles.TryLstat(hostPath, out status))
        {
            return null;
        }

        var target = status.Kind == FileKind.SymbolicLink ? new FileInfo(hostPath).LinkTarget : null;
        return From(status, target);
    }

    /// <remarks>
    /// A directory's ctime is left out. Adding or removing an entry moves its mtime and a chmod or
    /// chown shows in mode and owner, so ctime would only add false changes: the RUN sandbox
    /// creates and removes its mount points (/etc/hosts, /proc…) and restores the parents' mtimes,
    /// but no one can restore a ctime. Its size follows its entries, which mtime covers too.
    /// </remarks>
    public static FileRecord From(FileStatus status, string? linkTarget) => new(
        status.Kind,
        status.Mode,
        status.Uid,
        status.Gid,
        status.IsDirectory ? 0 : status.Size,
        status.ModificationTime,
        status.IsDirectory ? default : status.ChangeTime,
        status.Device,
        status.Inode,
        status.RdevMajor,
        status.RdevMinor,
        linkTarget);
}
