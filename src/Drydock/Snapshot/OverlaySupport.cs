using Drydock.Native;

namespace Drydock.Snapshot;

/// <summary>Whether the overlay snapshotter can work here (<c>--snapshotter auto</c> asks this once per build).</summary>
public static class OverlaySupport
{
    /// <summary>
    /// Tries, in a scratch directory under <paramref name="workDirectory"/> (where the build's
    /// rootfs and overlay state will live), exactly what the snapshotter needs: mounting
    /// overlayfs with its options, a deletion showing as a whiteout and a recreated directory as
    /// opaque in the upper directory, a change to one name of a hardlinked lower file showing
    /// through its other name with the lower inode number (index=on), and unmounting. Not
    /// available, with the reason, when any of it fails: not root, no overlayfs, an upper file
    /// system without whiteouts or trusted xattrs (overlayfs itself, when the build runs in a
    /// container), a lower one without file handles, or a work directory that is "/".
    /// </summary>
    public static async Task<OverlayAvailability> CheckAsync(string workDirectory, CancellationToken cancellationToken)
    {
        var scratch = Path.Combine(Path.GetFullPath(workDirectory), $".overlay-check-{Guid.NewGuid():N}");
        Directory.CreateDirectory(scratch);
        var lower = Path.Combine(scratch, "lower");
        var mount = new OverlayMount(lower, Path.Combine(scratch, "state"));
        try
        {
            Directory.CreateDirectory(Path.Combine(lower, "dir"));
            File.WriteAllText(Path.Combine(lower, "dir", "file"), "");
            File.WriteAllText(Path.Combine(lower, "file"), "");
            File.WriteAllText(Path.Combine(lower, "linked"), "");
            NativeFiles.Link(Path.Combine(lower, "linked"), Path.Combine(lower, "linked-too"));
            var linkedInode = NativeFiles.Lstat(Path.Combine(lower, "linked")).Inode;
            mount.Mount();
            File.Delete(Path.Combine(mount.Merged, "file"));
            Directory.Delete(Path.Combine(mount.Merged, "dir"), recursive: true);
            Directory.CreateDirectory(Path.Combine(mount.Merged, "dir"));
            NativeFiles.Chmod(Path.Combine(mount.Merged, "linked"), UnixFileMode.UserRead);
            var otherName = NativeFiles.Lstat(Path.Combine(mount.Merged, "linked-too"));
            await mount.UnmountAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();

            if (otherName.Permissions != UnixFileMode.UserRead || otherName.Inode != linkedInode)
            {
                return new(false, "overlayfs did not keep the names of a hardlinked lower file together (index=on)");
            }

            if (FileRecord.TryRead(Path.Combine(mount.Upper, "file")) is not { } whiteout || !OverlayMarkers.IsWhiteout(whiteout))
            {
                return new(false, "overlayfs did not record a deletion as a whiteout");
            }

            if (!OverlayMarkers.IsOpaque(Path.Combine(mount.Upper, "dir")))
            {
                return new(false, "overlayfs did not mark a recreated directory opaque");
            }

            return new(true, "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return new(false, e.Message);
        }
        finally
        {
            if (mount.IsMounted)
            {
                NativeMounts.Detach(mount.Merged);
            }

            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary><see cref="CheckAsync"/> without the reason.</summary>
    public static async Task<bool> IsAvailableAsync(string workDirectory, CancellationToken cancellationToken) =>
        (await CheckAsync(workDirectory, cancellationToken).ConfigureAwait(false)).IsAvailable;
}

/// <summary>Whether overlayfs works for the snapshotter, and if not, why (worth a log line when <c>auto</c> falls back to walking).</summary>
public sealed record OverlayAvailability(bool IsAvailable, string Reason);
