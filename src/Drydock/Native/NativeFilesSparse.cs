using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Drydock.Native;

/// <summary>
/// Holes: a file's apparent size can be far beyond its data (/var/log/lastlog after a big uid
/// is hundreds of GB of holes around a few KB), so what reads or copies whole files goes by its
/// data segments (lseek SEEK_DATA/SEEK_HOLE), at a cost that follows the data.
/// </summary>
public static partial class NativeFiles
{
    private const int ENXIO = 6;
    private const int EINVAL = 22;
    private const int SeekData = 3;
    private const int SeekHole = 4;
    private const int CopyBufferSize = 128 * 1024;

    /// <summary>
    /// The first run of data at or after <paramref name="from"/> and before <paramref name="size"/>;
    /// false when only a hole is left. A file system without hole support reports all as data.
    /// </summary>
    public static bool TryNextDataSegment(SafeFileHandle file, string path, long from, long size, out long offset, out long length)
    {
        (offset, length) = (0, 0);
        if (from >= size)
        {
            return false;
        }

        var data = lseek(file, from, SeekData);
        if (data < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == ENXIO)
            {
                return false;
            }

            data = errno == EINVAL ? from : throw new NativeFilesException("lseek SEEK_DATA", path, errno);
        }

        var hole = data < size ? lseek(file, data, SeekHole) : size;
        if (hole < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            hole = errno == EINVAL ? size : throw new NativeFilesException("lseek SEEK_HOLE", path, errno);
        }

        // The file may have changed since its size was taken: nothing past that size counts.
        (offset, length) = (data, Math.Min(hole, size) - data);
        return length > 0;
    }

    /// <summary>
    /// Copies a regular file's content to a new file (0600; the caller sets mode and owner),
    /// keeping its holes: only data segments are read and written, and the length is set last.
    /// A file without holes goes through <see cref="File.Copy(string, string)"/>, which clones where
    /// the file system can.
    /// </summary>
    public static void CopyFile(string source, string target)
    {
        using var input = File.OpenHandle(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var size = RandomAccess.GetLength(input);
        if (!TryNextDataSegment(input, source, 0, size, out var offset, out var length) || offset != 0 || length != size)
        {
            CopySegments(input, source, size, target);
            return;
        }

        File.Copy(source, target);
    }

    private static void CopySegments(SafeFileHandle input, string source, long size, string target)
    {
        using var output = CreateExclusive(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            for (var position = 0L; TryNextDataSegment(input, source, position, size, out var offset, out var length); position = offset + length)
            {
                for (long done = 0; done < length;)
                {
                    var read = RandomAccess.Read(input, buffer.AsSpan(0, (int)Math.Min(CopyBufferSize, length - done)), offset + done);
                    if (read == 0)
                    {
                        break; // shrunk meanwhile: the length set below stands for what was there
                    }

                    RandomAccess.Write(output, buffer.AsSpan(0, read), offset + done);
                    done += read;
                }
            }

            RandomAccess.SetLength(output, size);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [LibraryImport(Libc, SetLastError = true)]
    private static partial long lseek(SafeFileHandle fd, long offset, int whence);
}
