using System.Runtime.InteropServices;

namespace Drydock.Native;

/// <summary>A point in time as the kernel stores it in an inode: seconds and nanoseconds.</summary>
internal readonly record struct UnixTime(long Seconds, long Nanoseconds);

/// <summary>The three inode times of a file, with the kernel's full (nanosecond) precision.</summary>
internal readonly record struct FileTimes(UnixTime Access, UnixTime Modify, UnixTime Change);

/// <summary>
/// Reads and restores inode times exactly. <see cref="File.GetLastWriteTimeUtc(string)"/> and its
/// setter round to 100 ns ticks, so a restored time would differ from the original and a
/// stat-based snapshot would see a change that never happened.
/// </summary>
internal static partial class FileTimestamps
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>The times of <paramref name="path"/> itself (a symlink is not followed).</summary>
    public static FileTimes Get(string path)
    {
        Statx buffer = default;
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, ref buffer) != 0)
        {
            throw Failure("statx", path);
        }

        return new FileTimes(buffer.Atime.ToUnixTime(), buffer.Mtime.ToUnixTime(), buffer.Ctime.ToUnixTime());
    }

    /// <summary>Sets the access and modification times of <paramref name="path"/> itself (a symlink is not followed).</summary>
    public static void Set(string path, UnixTime access, UnixTime modify)
    {
        Span<Timespec> times = [new(access.Seconds, access.Nanoseconds), new(modify.Seconds, modify.Nanoseconds)];
        if (utimensat(AtFdCwd, path, ref MemoryMarshal.GetReference(times), AtSymlinkNoFollow) != 0)
        {
            throw Failure("utimensat", path);
        }
    }

    private static IOException Failure(string call, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} '{path}': {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, ref Statx buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int utimensat(int dirfd, string path, ref Timespec times, int flags);

    // struct timespec on 64-bit Linux: two longs.
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct Timespec(long seconds, long nanoseconds)
    {
        public readonly long Seconds = seconds;
        public readonly long Nanoseconds = nanoseconds;
    }

    // struct statx_timestamp: the same layout on every architecture.
    [StructLayout(LayoutKind.Sequential)]
    private struct StatxTimestamp
    {
        public long Seconds;
        public uint Nanoseconds;
        public int Reserved;

        public readonly UnixTime ToUnixTime() => new(Seconds, Nanoseconds);
    }

    // struct statx (256 bytes, architecture independent); only the fields we read are named.
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct Statx
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint Links;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        public ushort Spare0;
        public ulong Inode;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        public StatxTimestamp Atime;
        public StatxTimestamp Btime;
        public StatxTimestamp Ctime;
        public StatxTimestamp Mtime;
    }
}
