using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Drydock.Layers;
using Drydock.Native;
using Microsoft.Win32.SafeHandles;

namespace Drydock.Snapshot;

/// <summary>
/// A 128-bit digest of what a layer entry carries besides its status: the carried xattrs and, for
/// a regular file, its content. SHA-256 (hardware-accelerated on current x64 and arm64) cut to
/// 128 bits: collisions are out of reach and the value stays a plain struct.
/// </summary>
internal static class ContentFingerprint
{
    private const int BufferSize = 128 * 1024;

    public static UInt128 Of(string hostPath, FileKind kind) => Of(hostPath, kind, out _);

    /// <summary><see cref="Of(string, FileKind)"/>, also telling how many bytes of content it read.</summary>
    public static UInt128 Of(string hostPath, FileKind kind, out long contentBytesRead)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[sizeof(int)];
        foreach (var (name, value) in LayerXattrs.Read(hostPath))
        {
            // Lengths first, so no two lists of attributes ever hash alike.
            BinaryPrimitives.WriteInt32LittleEndian(length, Encoding.UTF8.GetByteCount(name));
            hash.AppendData(length);
            hash.AppendData(Encoding.UTF8.GetBytes(name));
            BinaryPrimitives.WriteInt32LittleEndian(length, value.Length);
            hash.AppendData(length);
            hash.AppendData(value);
        }

        contentBytesRead = kind == FileKind.RegularFile ? AppendContent(hash, hostPath) : 0;
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }

    /// <summary>
    /// Hashes each data segment with its offset and length, then the size: holes are never read,
    /// so a file of a terabyte of holes around a few KB costs those KB. A file that fits one buffer
    /// is taken as one segment without asking for its holes (that would cost more than reading it).
    /// The same content stored with other holes hashes apart; a file rewritten so is reported
    /// changed, which its times say anyway.
    /// </summary>
    private static long AppendContent(IncrementalHash hash, string hostPath)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using SafeFileHandle file = File.OpenHandle(hostPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
            var size = RandomAccess.GetLength(file);
            long bytesRead = 0;
            if (size <= BufferSize)
            {
                bytesRead = AppendSegment(hash, file, 0, size, buffer);
            }
            else
            {
                for (var position = 0L; NativeFiles.TryNextDataSegment(file, hostPath, position, size, out var offset, out var length); position = offset + length)
                {
                    bytesRead += AppendSegment(hash, file, offset, length, buffer);
                }
            }

            AppendNumber(hash, size);
            return bytesRead;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static long AppendSegment(IncrementalHash hash, SafeFileHandle file, long offset, long length, byte[] buffer)
    {
        AppendNumber(hash, offset);
        AppendNumber(hash, length);
        long done = 0;
        int read;
        while (done < length && (read = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(BufferSize, length - done)), offset + done)) > 0)
        {
            hash.AppendData(buffer.AsSpan(0, read));
            done += read;
        }

        return done;
    }

    private static void AppendNumber(IncrementalHash hash, long value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        hash.AppendData(bytes);
    }
}
