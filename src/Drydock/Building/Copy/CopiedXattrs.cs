using Drydock.Layers;
using Drydock.Native;
using Drydock.Snapshot;

namespace Drydock.Building.Copy;

/// <summary>
/// Which extended attributes COPY/ADD give a copied file, directory or symlink, as BuildKit's copy
/// does: all of the source's, except overlayfs' bookkeeping (it describes the builder's mounts)
/// and <c>security.selinux</c> (the label of the host's policy, not of the image).
/// </summary>
internal static class CopiedXattrs
{
    private const string SelinuxLabel = "security.selinux";

    /// <summary>
    /// Copies the attributes of <paramref name="source"/> to <paramref name="target"/> (links not
    /// followed). Call it after chown, which clears <c>security.capability</c>. An attribute no
    /// layer carries (<c>trusted.*</c>, ACLs…) is skipped where the caller or the file system may
    /// not set it, as BuildKit skips it; losing one a layer carries would change the image, so that fails.
    /// </summary>
    public static void Copy(string source, string target)
    {
        foreach (var (name, value) in Read(source))
        {
            try
            {
                NativeFiles.SetXattr(target, name, value);
            }
            catch (NativeFilesException e) when (e.IsNotPermitted && !LayerXattrs.IsCarried(name))
            {
            }
            catch (NativeFilesException e) when (e.Errno == NativeFiles.EOPNOTSUPP)
            {
                // Said plainly: the work directory may be on tmpfs or a network file system that lacks them.
                throw new IOException(
                    $"{source} has the extended attribute {name}, which the build's work directory cannot store ({e.Message}); " +
                    $"set TMPDIR to a directory on ext4 or xfs, or remove the attribute from the source (setfattr -x {name} FILE)", e);
            }
        }
    }

    /// <summary>
    /// The attributes of <paramref name="source"/> (links not followed) that a copy is given, in
    /// the order the file system lists them: what <see cref="Copy"/> writes, and what a COPY's
    /// cache key reads.
    /// </summary>
    public static IEnumerable<(string Name, byte[] Value)> Read(string source)
    {
        foreach (var name in NativeFiles.ListXattrs(source))
        {
            if (name != SelinuxLabel && !OverlayMarkers.IsOverlayAttribute(name) && NativeFiles.GetXattr(source, name) is { } value)
            {
                yield return (name, value);
            }
        }
    }
}
