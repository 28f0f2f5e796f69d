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

    public static UInt128 Of(string hostPath, FileKind kind)
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

        if (kind == FileKind.RegularFile)
        {
            AppendContent(hash, hostPath);
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }

    private static void AppendContent(IncrementalHash hash, string hostPath)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using SafeFileHandle file = File.OpenHandle(hostPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
            long offset = 0;
            int read;
            while ((read = RandomAccess.Read(file, buffer.AsSpan(0, BufferSize), offset)) > 0)
            {
                hash.AppendData(buffer.AsSpan(0, read));
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
