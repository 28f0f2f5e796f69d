using System.Runtime.InteropServices;

namespace Drydock.Native;

/// <summary>
/// mount(2) and umount2(2) for the overlay snapshotter. Mounts belong to the mount namespace, which
/// every thread of this process shares (the process never unshares one), so a mount made here
/// from any thread is seen by all threads and by the processes started afterwards, such as the
/// RUN launcher, which then copies it into its own private namespace.
/// </summary>
public static partial class NativeMounts
{
    internal const int EBUSY = 16;

    private const string Libc = "libc";
    private const ulong MsPrivate = 1 << 18;
    private const int MntDetach = 2;

    /// <summary>Mounts overlayfs on <paramref name="target"/> with the given option string.</summary>
    public static void MountOverlay(string target, string options)
    {
        if (mount("overlay", target, "overlay", 0, options) != 0)
        {
            throw new NativeFilesException($"mount overlay ({options})", target, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Stops mount events under <paramref name="target"/> from spreading to or from peer namespaces.</summary>
    public static void MakePrivate(string target)
    {
        if (mount(null, target, null, MsPrivate, null) != 0)
        {
            throw new NativeFilesException("mount --make-private", target, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>umount2 without flags: fails with EBUSY while something still uses the mount.</summary>
    public static void Unmount(string target)
    {
        if (umount2(target, 0) != 0)
        {
            throw new NativeFilesException("umount", target, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Lazy unmount: detached now, released when its last user lets go.</summary>
    public static void Detach(string target)
    {
        if (umount2(target, MntDetach) != 0)
        {
            throw new NativeFilesException("umount --lazy", target, Marshal.GetLastPInvokeError());
        }
    }

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mount(string? source, string target, string? fileSystemType, ulong flags, string? data);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int umount2(string target, int flags);
}
