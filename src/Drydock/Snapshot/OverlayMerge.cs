using Drydock.Foundation.Paths;
using Drydock.Layers;
using Drydock.Native;

namespace Drydock.Snapshot;

/// <summary>
/// Folds an unmounted overlay's upper directory into its lower directory, so the lower one holds
/// the merged state again and the next step mounts over a single lower directory: no stack of
/// lower directories grows (overlayfs allows about 500, and the mount options a page), and the
/// rootfs is a plain directory between steps. Entries are renamed, never copied, so the cost
/// follows the number of upper entries (and what whiteouts delete), not their size.
/// </summary>
internal static class OverlayMerge
{
    /// <summary>
    /// Renames the upper directory's entries down, then links each of <paramref name="relinks"/>
    /// to the copy its file now is (see <see cref="OverlayDiff"/>).
    /// </summary>
    public static void Merge(string upper, string lower, IEnumerable<Relink> relinks, CancellationToken cancellationToken)
    {
        MergeDirectory(upper, lower, cancellationToken);
        CopyDirectoryMetadata(upper, lower);
        foreach (var relink in relinks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Link(lower, relink);
        }
    }

    /// <summary>
    /// Gives <paramref name="target"/> the owner, carried xattrs, mode and times of
    /// <paramref name="source"/> (both real directories).
    /// </summary>
    public static void CopyDirectoryMetadata(string source, string target)
    {
        var status = NativeFiles.Lstat(source);
        NativeFiles.Lchown(target, status.Uid, status.Gid);
        var wanted = LayerXattrs.Read(source);
        foreach (var name in NativeFiles.ListXattrs(target))
        {
            if (LayerXattrs.IsCarried(name) && !wanted.Exists(x => x.Key == name))
            {
                NativeFiles.RemoveXattr(target, name);
            }
        }

        foreach (var (name, value) in wanted)
        {
            NativeFiles.SetXattr(target, name, value);
        }

        // After chown, which clears setgid.
        NativeFiles.Chmod(target, status.Permissions);
        NativeFiles.SetTimes(target, status.AccessTime, status.ModificationTime);
    }

    // Both are real directories; the lower one is not hidden by the upper one (not opaque).
    private static void MergeDirectory(string upperDirectory, string lowerDirectory, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var upperPath in Directory.EnumerateFileSystemEntries(upperDirectory).ToArray())
        {
            var lowerPath = ImagePaths.HostChild(lowerDirectory, Path.GetFileName(upperPath));
            var record = FileRecord.TryRead(upperPath)!.Value;
            if (OverlayMarkers.IsWhiteout(record))
            {
                RemoveTree(lowerPath);
                continue;
            }

            var lowerIsDirectory = NativeFiles.TryLstat(lowerPath, out var lowerStatus) && lowerStatus.Kind == FileKind.Directory;
            if (record.Kind == FileKind.Directory && lowerIsDirectory && !OverlayMarkers.IsOpaque(upperPath))
            {
                MergeDirectory(upperPath, lowerPath, cancellationToken);
                CopyDirectoryMetadata(upperPath, lowerPath);
                continue;
            }

            // rename(2) replaces a file by a file, or a directory by an empty directory, only.
            if (lowerIsDirectory || record.Kind == FileKind.Directory)
            {
                RemoveTree(lowerPath);
            }

            NativeFiles.Rename(upperPath, lowerPath);
            RemoveOverlayAttributes(lowerPath, record.Kind);
        }
    }

    // One rename replaces the name, so it never goes missing; the directory gets its times back,
    // as a file changed in place leaves its directory alone.
    private static void Link(string lower, Relink relink)
    {
        var name = ImagePaths.ToHost(lower, relink.Name);

        // The diff chose names the merge does not touch, reached through real directories only.
        if (!NativeFiles.TryLstat(name, out var status) || status.Kind == FileKind.Directory || status.Inode != relink.LowerInode)
        {
            throw new InvalidOperationException($"'{relink.Name}' is no longer the file it named before the step; the hardlink index is out of date.");
        }

        var directory = Path.GetDirectoryName(name)!;
        var times = NativeFiles.Lstat(directory);
        var temporary = ImagePaths.HostChild(directory, $".drydock-link-{Guid.NewGuid():N}");
        NativeFiles.Link(ImagePaths.ToHost(lower, relink.Copy), temporary);
        NativeFiles.Rename(temporary, name);
        NativeFiles.SetTimes(directory, times.AccessTime, times.ModificationTime);
    }

    private static void RemoveOverlayAttributes(string path, FileKind kind)
    {
        foreach (var name in NativeFiles.ListXattrs(path))
        {
            if (OverlayMarkers.IsOverlayAttribute(name))
            {
                NativeFiles.RemoveXattr(path, name);
            }
        }

        if (kind == FileKind.Directory)
        {
            foreach (var child in Directory.EnumerateFileSystemEntries(path))
            {
                RemoveOverlayAttributes(child, NativeFiles.Lstat(child).Kind);
            }
        }
    }

    // Never follows a symlink: .NET deletes links themselves, also inside a recursive delete.
    private static void RemoveTree(string path)
    {
        if (!NativeFiles.TryLstat(path, out var status))
        {
            return;
        }

        if (status.Kind == FileKind.Directory)
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            File.Delete(path);
        }
    }
}
