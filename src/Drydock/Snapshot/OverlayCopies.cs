using Drydock.Foundation.Paths;
using Drydock.Native;

namespace Drydock.Snapshot;

/// <summary>
/// Which lower files with several names a step copied up, and from which lower inode: read while
/// the overlay is still mounted, since only the mount can tell.
/// </summary>
/// <remarks>
/// With <c>index=on</c> overlayfs copies a lower file that has several names up once, into its
/// index (the work directory's <c>index</c>), and links each name the step uses to that copy, so
/// the step sees all names change together. An index entry is a hardlink of the copy, named after
/// the lower file's handle; a copy's upper names are found in the upper directory by its inode.
/// The lower inode number is what the merged directory shows for such a copy: overlayfs keeps a
/// copied-up file's inode number when, as here, upper and lower share one file system. A step
/// that copied up no hardlinked file leaves the index empty, and then this costs one listing.
/// </remarks>
internal static class OverlayCopies
{
    /// <summary>The inode of each copy in the upper directory, mapped to the lower inode it was copied from.</summary>
    public static IReadOnlyDictionary<ulong, ulong> Find(OverlayMount mount, CancellationToken cancellationToken)
    {
        // Entries with no other link name a lower file one of whose names the step deleted or
        // replaced (overlayfs keeps count of its names): no name of the step's refers to them.
        var pending = new HashSet<ulong>();
        if (Directory.Exists(mount.Index))
        {
            foreach (var name in DirectoryListing.Names(mount.Index))
            {
                if (FileRecord.TryRead(ImagePaths.HostChild(mount.Index, name), out var status) is { } record
                    && record.Kind != FileKind.Directory
                    && !OverlayMarkers.IsWhiteout(record)
                    && status.LinkCount > 1)
                {
                    pending.Add(status.Inode);
                }
            }
        }

        var lowerInodes = new Dictionary<ulong, ulong>();
        var directories = new Stack<string>();
        directories.Push("/");
        while (pending.Count > 0 && directories.TryPop(out var directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var name in DirectoryListing.Names(ImagePaths.ToHost(mount.Upper, directory)))
            {
                var path = ImagePaths.Child(directory, name);
                if (!NativeFiles.TryLstat(ImagePaths.ToHost(mount.Upper, path), out var status))
                {
                    continue;
                }

                if (status.Kind == FileKind.Directory)
                {
                    directories.Push(path);
                }
                else if (pending.Remove(status.Inode) && NativeFiles.TryLstat(ImagePaths.ToHost(mount.Merged, path), out var merged))
                {
                    lowerInodes[status.Inode] = merged.Inode;
                }
            }
        }

        return lowerInodes;
    }
}
