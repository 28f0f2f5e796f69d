using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Drydock.Native;

/// <summary>
/// Calls on an open file descriptor: used while a freshly created file is still open, so its
/// metadata is set without looking its path up again (fewer syscalls, no link to follow).
/// </summary>
public static unsafe partial class NativeFiles
{
    private const int OWrOnly = 0x1;
    private const int OCreat = 0x40;
    private const int OExcl = 0x80;
    private const int OCloExec = 0x80000;

    // The one open flag used here whose value differs between architectures (arm64 has its own).
    private static readonly int ONoFollow = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    /// <summary>
    /// Creates a new regular file for writing; fails if anything (even a dangling symlink) is at
    /// <paramref name="path"/>, so nothing is ever written through a link.
    /// </summary>
    public static SafeFileHandle CreateExclusive(string path, UnixFileMode permissions)
    {
        var fd = open(path, OWrOnly | OCreat | OExcl | ONoFollow | OCloExec, (uint)permissions & 0xFFF);
        if (fd < 0)
        {
            throw new NativeFilesException("open", path, Marshal.GetLastPInvokeError());
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>fchown; <paramref name="path"/> only names the file in errors.</summary>
    public static void Chown(SafeFileHandle file, string path, uint uid, uint gid)
    {
        if (fchown(file, uid, gid) != 0)
        {
            throw new NativeFilesException("fchown", path, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>fchmod with all twelve permission bits.</summary>
    public static void Chmod(SafeFileHandle file, string path, UnixFileMode mode)
    {
        if (fchmod(file, (uint)mode & 0xFFF) != 0)
        {
            throw new NativeFilesException("fchmod", path, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>futimens: access and modification times to the nanosecond.</summary>
    public static void SetTimes(SafeFileHandle file, string path, FileTime accessTime, FileTime modificationTime)
    {
        var times = stackalloc long[4];
        times[0] = accessTime.Seconds;
        times[1] = accessTime.Nanoseconds;
        times[2] = modificationTime.Seconds;
        times[3] = modificationTime.Nanoseconds;
        if (futimens(file, times) != 0)
        {
            throw new NativeFilesException("futimens", path, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>fsetxattr.</summary>
    public static void SetXattr(SafeFileHandle file, string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = value)
        {
            if (fsetxattr(file, name, p, (nuint)value.Length, 0) != 0)
            {
                throw new NativeFilesException($"fsetxattr {name}", path, Marshal.GetLastPInvokeError());
            }
        }
    }

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, uint mode);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int fchown(SafeFileHandle fd, uint owner, uint group);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int fchmod(SafeFileHandle fd, uint mode);

    [LibraryImport(Libc, SetLastError = true)]
    private static partial int futimens(SafeFileHandle fd, long* times);

    [LibraryImport(Libc, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int fsetxattr(SafeFileHandle fd, string name, byte* value, nuint size, int flags);
}
