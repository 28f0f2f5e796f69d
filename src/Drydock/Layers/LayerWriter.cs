using System.Formats.Tar;
using Drydock.Foundation.Paths;
using Drydock.Native;
using Drydock.Oci;

namespace Drydock.Layers;

/// <summary>
/// Turns a <see cref="FilesystemDiff"/> into a layer blob in one streaming pass:
/// files → PAX tar → SHA-256 (diffID) → compressor → SHA-256 and byte count (digest, size) → destination.
/// </summary>
public static class LayerWriter
{
    private const string WhiteoutPrefix = ".wh.";

    /// <summary>
    /// Writes the layer for <paramref name="diff"/> (paths inside <paramref name="rootfs"/>) into
    /// <paramref name="destination"/>, which is left open. Entries come in ordinal order of their
    /// image paths, each changed path preceded by its parent directories with their real metadata,
    /// and each deletion as a <c>.wh.NAME</c> whiteout.
    /// </summary>
    public static async Task<LayerWriteResult> WriteAsync(
        string rootfs, FilesystemDiff diff, Stream destination, LayerWriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(options);
        var root = ImagePaths.FullRoot(rootfs);

        using var blob = new HashingWriteStream(destination, leaveOpen: true);
        using var tarHash = new HashingWriteStream(
            LayerCompressionStreams.OpenCompressing(blob, options.Compression, options.CompressionLevel, leaveOpen: true), leaveOpen: false);
        var tar = new PaxTarWriter(tarHash, options.SubsecondTimes && !options.Reproducible);
        await using (tar.ConfigureAwait(false))
        {
            await WriteEntriesAsync(root, diff, tar, options, cancellationToken).ConfigureAwait(false);
            await tar.FinishAsync(cancellationToken).ConfigureAwait(false);
        }

        var diffId = tarHash.GetDigest();

        // Disposing the compressor writes its trailer; only then is the blob complete.
        await tarHash.DisposeAsync().ConfigureAwait(false);
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new LayerWriteResult(diffId, blob.GetDigest(), blob.BytesWritten);
    }

    /// <summary>
    /// Writes the layer into <paramref name="blobs"/> under its digest and returns it as an
    /// <see cref="ILayer"/>. <paramref name="mediaType"/> is the caller's choice
    /// (<see cref="MediaTypes.LayerType"/>) and must match the options' compression.
    /// </summary>
    public static Task<FileLayer> WriteToDirectoryAsync(
        string rootfs, FilesystemDiff diff, BlobDirectory blobs, string mediaType, LayerWriteOptions options, CancellationToken cancellationToken) =>
        WriteToDirectoryAsync(rootfs, diff, blobs, mediaType, options, follow: null, cancellationToken);

    /// <summary>
    /// As <see cref="WriteToDirectoryAsync(string, FilesystemDiff, BlobDirectory, string, LayerWriteOptions, CancellationToken)"/>;
    /// <paramref name="follow"/>, when given, is handed the blob file as soon as it is created and
    /// returns the stream to write it through (one that lets a reader follow it, see
    /// <see cref="GrowingFile"/>).
    /// </summary>
    public static async Task<FileLayer> WriteToDirectoryAsync(
        string rootfs, FilesystemDiff diff, BlobDirectory blobs, string mediaType, LayerWriteOptions options, Func<FileStream, Stream>? follow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(options);
        if (MediaTypes.CompressionOf(mediaType) != options.Compression)
        {
            throw new ArgumentException($"Media type '{mediaType}' does not match {options.Compression} compression.", nameof(mediaType));
        }

        var blob = blobs.Create();
        await using (blob.ConfigureAwait(false))
        {
            var result = await WriteAsync(rootfs, diff, follow?.Invoke(blob.File) ?? blob.File, options, cancellationToken).ConfigureAwait(false);
            var path = await blob.CommitAsync(result.Digest).ConfigureAwait(false);
            var descriptor = new Descriptor { MediaType = mediaType, Digest = result.Digest, Size = result.Size };
            return new FileLayer(path, descriptor, result.DiffId);
        }
    }

    private static async Task WriteEntriesAsync(
        string root, FilesystemDiff diff, PaxTarWriter tar, LayerWriteOptions options, CancellationToken cancellationToken)
    {
        // Image path → whether it is a whiteout; parents that the diff does not list are added.
        var entries = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var path in diff.Changed)
        {
            entries[path] = false;
        }

        foreach (var path in diff.Deleted)
        {
            entries[ImagePaths.Child(ImagePaths.Parent(path), WhiteoutPrefix + ImagePaths.Name(path))] = true;
        }

        foreach (var path in entries.Keys.ToArray())
        {
            foreach (var ancestor in ImagePaths.Ancestors(path))
            {
                if (!entries.TryAdd(ancestor, false))
                {
                    break;
                }
            }
        }

        var order = entries.Keys.ToArray();
        Array.Sort(order, StringComparer.Ordinal);

        var epoch = new FileTime(options.SourceDateEpoch ?? 0, 0);
        var firstNameOfInode = new Dictionary<(ulong Device, ulong Inode), string>();

        // Parents sort before children, so by the time a path is read every directory above it has
        // been checked to be a real directory: nothing is ever read through a symlink (which could
        // point out of the root) and whiteouts sit in real directories.
        var realDirectories = new HashSet<string>(StringComparer.Ordinal) { "/" };
        foreach (var path in order)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = path[1..];
            if (!realDirectories.Contains(ImagePaths.Parent(path)))
            {
                options.Warn?.Invoke($"'{path}' lies under a symlink or a file, not a directory; left out.");
                continue;
            }

            if (entries[path])
            {
                var whiteout = new TarEntryHeader { Name = name, Type = TarEntryType.RegularFile, ModificationTime = epoch };
                await tar.WriteEntryAsync(whiteout, null, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var host = ImagePaths.ToHost(root, path);
            if (!NativeFiles.TryLstat(host, out var status))
            {
                options.Warn?.Invoke($"'{path}' vanished before the layer was written; left out.");
                continue;
            }

            if (status.Kind == FileKind.Directory)
            {
                realDirectories.Add(path);
            }

            var header = HeaderFor(host, path, name, status, options, epoch);
            if (header is null)
            {
                continue;
            }

            if (status.Kind != FileKind.Directory && status.LinkCount > 1)
            {
                if (firstNameOfInode.TryGetValue((status.Device, status.Inode), out var first))
                {
                    header = header with { Type = TarEntryType.HardLink, LinkName = first, Size = 0 };
                }
                else
                {
                    firstNameOfInode[(status.Device, status.Inode)] = name;
                }
            }

            await WriteOneAsync(tar, header, host, path, options, cancellationToken).ConfigureAwait(false);
        }
    }

    private static TarEntryHeader? HeaderFor(string host, string path, string name, FileStatus status, LayerWriteOptions options, FileTime epoch)
    {
        var type = status.Kind switch
        {
            FileKind.RegularFile => TarEntryType.RegularFile,
            FileKind.Directory => TarEntryType.Directory,
            FileKind.SymbolicLink => TarEntryType.SymbolicLink,
            FileKind.CharacterDevice => TarEntryType.CharacterDevice,
            FileKind.BlockDevice => TarEntryType.BlockDevice,
            FileKind.Fifo => TarEntryType.Fifo,
            _ => (TarEntryType?)null,
        };
        if (type is null)
        {
            options.Warn?.Invoke($"'{path}' is a {status.Kind}, which a layer cannot hold; left out.");
            return null;
        }

        return new TarEntryHeader
        {
            Name = type == TarEntryType.Directory ? name + "/" : name,
            Type = type.Value,
            Mode = status.Permissions,
            Uid = status.Uid,
            Gid = status.Gid,
            Size = type == TarEntryType.RegularFile ? status.Size : 0,
            ModificationTime = options.Reproducible ? epoch : status.ModificationTime,
            LinkName = type == TarEntryType.SymbolicLink ? new FileInfo(host).LinkTarget ?? "" : "",
            DeviceMajor = status.RdevMajor,
            DeviceMinor = status.RdevMinor,
            Xattrs = LayerXattrs.Read(host),
        };
    }

    private static async Task WriteOneAsync(
        PaxTarWriter tar, TarEntryHeader header, string host, string path, LayerWriteOptions options, CancellationToken cancellationToken)
    {
        if (header.Type != TarEntryType.RegularFile || header.Size == 0)
        {
            await tar.WriteEntryAsync(header, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        var file = new FileStream(host, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            BufferSize = 0,
            Options = FileOptions.SequentialScan,
        });
        await using (file.ConfigureAwait(false))
        {
            if (!await tar.WriteEntryAsync(header, file, cancellationToken).ConfigureAwait(false))
            {
                options.Warn?.Invoke($"'{path}' shrank while the layer was written; the rest is zero-filled.");
            }
        }
    }
}
