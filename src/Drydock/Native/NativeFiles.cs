using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Drydock.Native;

/// <summary>
/// The libc file-system calls the BCL lacks (ownership, modes with setuid bits, nanosecond times
/// on links, device nodes, hardlinks, xattrs). None of them follows a final symlink unless its name
/// says so. Failures throw <see cref="NativeFilesException"/> naming the call, the path and errno.
/// </summary>
public static unsafe partial class NativeFiles
{
    // errno values are the same on every Linux architecture we build for (asm-generic).
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int EACCES = 13;
    internal const int EEXIST = 17;
    internal const int EXDEV = 18;
    internal const int ENOTDIR = 20;
    internal const int ERANGE = 34;
    internal const int ENOSYS = 38;
    internal const int ENODATA = 61;
    internal const int EOPNOTSUPP = 95;

    private const string Libc = "libc";
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7FF;

    // struct statx is the same on every architecture, unlike struct stat, which is why it is used.
    private const int StatxSize = 256;
    private const int StatxNlink = 16;
    private const int StatxUid = 20;
    private const int StatxGid = 24;
    private const int StatxMode = 28;
    private const int StatxIno = 32;
    private const int StatxFileSize = 40;
    private const int StatxAtime = 64;
    private const int StatxCtime = 96;
    private const int StatxMtime = 112;
    private const int StatxRdevMajor = 128;
    private const int StatxRdevMinor = 132;
    private const int StatxDevMajor = 136;
    private const int StatxDevMinor = 140;

    private const uint SIfChr = 0x2000;
    private const uint SIfBlk = 0x6000;
    private const uint SIfIfo = 0x1000;

    /// <summary>lstat: the status of <paramref name="path"/> itself, even when it is a symlink.</summary>
    public static FileStatus Lstat(string path)
    {
        if (!TryLstat(path, out var status))
        {
            throw new NativeFilesException("lstat", path, ENOENT);
        }

        return status;
    }

    /// <summary>lstat that returns false when the path (or one of its parents) does not exist.</summary>
    public static bool TryLstat(string path, out FileStatus status)
    {
        var buffer = stackalloc byte[StatxSize];
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or ENOTDIR)
            {
                status = default;
                return false;
            }

            throw new NativeFilesException("lstat", path, errno);
        }

        var mode = (uint)Read<ushort>(buffer, StatxMode);
        status = new FileStatus(
            FileStatus.KindOf(mode),
            mode,
            Read<uint>(buffer, StatxUid),
            Read<uint>(buffer, StatxGid),
            (long)Read<ulong>(buffer, StatxFileSize),
            ReadTime(buffer, StatxAtime),
            ReadTime(buffer, StatxMtime),
            ReadTime(buffer, StatxCtime),
            ((ulong)Read<uint>(buffer, StatxDevMajor) << 32) | Read<uint>(buffer, StatxDevMinor),
            Read<ulong>(buffer, StatxIno),
            Read<uint>(buffer, StatxNlink),
            Read<uint>(buffer, StatxRdevMajor),
            Read<uint>(buffer, StatxRdevMinor));
        return true;
    }

    /// <summary>lchown: sets numeric owner and group of the path itself (a symlink is not followed).</summary>
    public static void Lchown(string path, uint uid, uint gid)
    {
        if (lchown(path, uid, gid) != 0)
        {
            throw new NativeFilesException("lchown", path, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>
    /// Sets all twelve permission bits (setuid, setgid and sticky included) without following a
    /// final symlink. Symlinks have no mode of their own on Linux, so for one this does nothing.
    /// </summary>
    public static void Chmod(string path, UnixFileMode mode)
    {
        var bits = (uint)mode & 0xFFF;
        if (fchmodat(AtFdCwd, path, bits, AtSymlinkNoFollow) == 0)
        {
            return;
        }

        var errno = Marshal.GetLastPInvokeError();

        // glibc before 2.39 emulates the no-follow flag through /proc/self/fd and reports
        // EOPNOTSUPP both for a symlink and when /proc is missing; tell the two apart by lstat.
        if (errno is EOPNOTSUPP or ENOSYS && TryLstat(path, out var status))
        {
            if (status.Kind == FileKind.SymbolicLink)
            {
                return;
            }

            if (chmod(path, bits) == 0)
            {
                return;
            }

            errno = Marshal.GetLastPInvokeError();
        }

        throw new NativeFilesException("chmod", path, errno);
    }

    /// <summary>utimensat with AT_SYMLINK_NOFOLLOW: sets access and modification times to the nanosecond.</summary>
    public static void SetTimes(string path, FileTime accessTime, FileTime modificationTime)
    {
        var times = stackalloc long[4];
        times[0] = accessTime.Seconds;
        times[1] = accessTime.Nanoseconds;
        times[2] = modificationTime.Seconds;
        times[3] = modificationTime.Nanoseconds;
        if (utimensat(AtFdCwd, path, times, AtSymlinkNoFollow) != 0)
        {
            throw new NativeFilesException("utimensat", path, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>mknod for a character or block device, or a FIFO (then major and minor are ignored).</summary>
    public static void MakeNode(string path, FileKind kind, UnixFileMode permissions, uint major, uint minor)
    {
        var type = kind switch
        {
            FileKind.CharacterDevice => SIfChr,
            FileKind.BlockDevice => SIfBlk,
            FileKind.Fifo => SIfIfo,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "mknod makes only devices and FIFOs."),
        };
        var device = kind == FileKind.Fifo ? 0 : MakeDevice(major, minor);
        if (mknod(path, type | ((uint)permissions & 0xFFF), device) != 0)
        {
            throw new NativeFilesException("mknod", path, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>mkfifo: creates a named pipe.</summary>
    public static void MakeFifo(string path, UnixFileMode permissions) =>
        MakeNode(path, FileKind.Fifo, permissions, 0, 0);

    /// <summary>
    /// Makes <paramref name="newPath"/> a hardlink to <paramref name="existingPath"/>. Like link(2)
    /// on Linux, a symlink at <paramref name="existingPath"/> is linked itself, never followed.
    /// </summary>
    public static void Link(string existingPath, string newPath)
    {
        if (linkat(AtFdCwd, existingPath, AtFdCwd, newPath, 0) != 0)
        {
            throw new NativeFilesException("link", $"{newPath}' -> '{existingPath}", Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>The extended attribute names of the path itself (empty when the file system has none).</summary>
    public static IReadOnlyList<string> ListXattrs(string path)
    {
        var size = 1024;
        while (true)
        {
            var buffer = new byte[size];
            nint length;
            fixed (byte* p = buffer)
            {
                length = llistxattr(path, p, (nuint)buffer.Length);
            }

            if (length >= 0)
            {
                return SplitNames(buffer.AsSpan(0, (int)length));
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == EOPNOTSUPP)
            {
                return [];
            }

            if (errno != ERANGE)
            {
                throw new NativeFilesException("llistxattr", path, errno);
            }

            size = checked(size * 4);
        }
    }

    /// <summary>The value of one extended attribute of the path itself, or null when it is not set.</summary>
    public static byte[]? GetXattr(string path, string name)
    {
        var size = 256;
        while (true)
        {
            var buffer = new byte[size];
            nint length;
            fixed (byte* p = buffer)
            {
                length = lgetxattr(path, name, p, (nuint)buffer.Length);
            }

            if (length >= 0)
            {
                return buffer.AsSpan(0, (int)length).ToArray();
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno is ENODATA or EOPNOTSUPP)
            {
                return null;
            }

            if (errno != ERANGE)
            {
                throw new NativeFilesException($"lgetxattr {name}", path, errno);
            }

            size = checked(size * 4);
        }
    }

    /// <summary>Sets one extended attribute on the path itself.</summary>
    public static void SetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
        {
            if (lsetxattr(path, name, p, (nuint)value.Length, 0) != 0)
            {
                throw new NativeFilesException($"lsetxattr {name}", path, Marshal.GetLastPInvokeError());
            }
        }
    }

    /// <summary>
    /// rename(2): moves any kind of entry within one file system, atomically replacing a file or an
    /// empty directory at <paramref name="newPath"/>; neither path's final symlink is followed.
    /// </summary>
    public static void Rename(string oldPath, string newPath)
    {
        if (rename(oldPath, newPath) != 0)
        {
            throw new NativeFilesException("rename", $"{oldPath}' -> '{newPath}", Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Removes one extended attribute from the path itself; an attribute that is not set is no error.</summary>
    public static void RemoveXattr(string path, string name)
    {
        if (lremovexattr(path, name) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != ENODATA)
            {
                throw new NativeFilesException($"lremovexattr {name}", path, errno);
            }
        }
    }

    // glibc's gnu_dev_makedev: 12 bits of major and 8 of minor low, the rest high.
    private static ulong MakeDevice(uint major, uint minor) =>
        ((ulong)(major & 0x00000FFFu) << 8) | ((ulong)(major & 0xFFFFF000u) << 32) |
        (minor & 0x000000FFu) | ((ulong)(minor & 0xFFFFFF00u) << 12);

    private static List<string> SplitNames(ReadOnlySpan<byte> list)
    {
        var names = new List<string>();
        while (!list.IsEmpty)
        {
            var end = list.IndexOf((byte)0);
            var name = end < 0 ? list : list[..end];
            if (!name.IsEmpty)
            {
                names.Add(Encoding.UTF8.GetString(name));
            }

            list = end < 0 ? [] : list[(end + 1)..];
        }

        return names;
    }

    private static T Read<T>(byte* buffer, int offset)
        where T : unmanaged => Unsafe.ReadUnaligned<T>(buffer + offset);

    // struct statx_timestamp { __s64 tv_sec; __u32 tv_nsec; __s32 reserved; }
    private static FileTime ReadTime(byte* buffer, int offset) =>
        new(Read<long>(buffer, offset), (int)Read<uint>(buffer, offset + 8));

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lchown(string path, uint owner, uint group);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int fchmodat(int dirfd, string path, uint mode, int flags);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chmod(string path, uint mode);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int utimensat(int dirfd, string path, long* times, int flags);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mknod(string path, uint mode, ulong device);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int linkat(int olddirfd, string oldpath, int newdirfd, string newpath, int flags);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint llistxattr(string path, byte* list, nuint size);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint lgetxattr(string path, string name, byte* value, nuint size);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lsetxattr(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lremovexattr(string path, string name);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rename(string oldPath, string newPath);
}
