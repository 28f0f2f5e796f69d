using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Drydock.Building.Copy;
using Drydock.Cache;
using Drydock.Native;

namespace Drydock.Building.Caching;

/// <summary>
/// Digests the entries a COPY or ADD reads (<see cref="SourceEntryRecord"/>), reading files in
/// parallel, and remembers each file's content digest for the rest of the build by host path,
/// device, inode, size and modification time (nanoseconds): a file that is copied again, by a
/// later step or another stage, is not read again unless one of them changed. Thread-safe.
/// </summary>
internal sealed class SourceEntryDigests(int parallelism)
{
    private const int BufferSize = 128 * 1024;

    private readonly ConcurrentDictionary<string, (ContentStamp Stamp, byte[] Content)> _contents = new(StringComparer.Ordinal);
    private long _filesRead;

    /// <summary>How many files' content has been read so far: what the memo saves shows here.</summary>
    public long FilesRead => Interlocked.Read(ref _filesRead);

    /// <summary>Digests <paramref name="entries"/>: one digest each, at the same index; null for a socket, which a copy skips.</summary>
    /// <param name="entries">What the instruction reads, in the order it copies it.</param>
    /// <param name="withOwners">Whether the copy keeps the source's owners.</param>
    /// <param name="cancellationToken">Stops between files and between buffers of a file.</param>
    public async Task<IReadOnlyList<SourceFileDigest?>> DigestAsync(IReadOnlyList<SourceEntry> entries, bool withOwners, CancellationToken cancellationToken)
    {
        var observed = new ObservedEntry?[entries.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, entries.Count), options, (i, token) =>
        {
            observed[i] = Observe(entries[i], token);
            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);

        // In copy order, as the copy links a later name of a file to its first copy (CopiedLinks).
        var firstNames = new Dictionary<(ulong Device, ulong Inode), string>();
        var files = new SourceFileDigest?[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            if (observed[i] is not { } entry)
            {
                continue;
            }

            var status = entry.Status;
            string? hardlinkTo = null;
            if (status.Kind == FileKind.RegularFile && status.LinkCount > 1 && !firstNames.TryAdd((status.Device, status.Inode), entries[i].Path))
            {
                hardlinkTo = firstNames[(status.Device, status.Inode)];
            }

            files[i] = new SourceFileDigest(entries[i].Path, SourceEntryRecord.Of(entries[i].Role, entries[i].LinkTarget, entry, hardlinkTo, withOwners));
        }

        return files;
    }

    private ObservedEntry? Observe(SourceEntry entry, CancellationToken cancellationToken)
    {
        var status = NativeFiles.Lstat(entry.HostPath);
        if (entry.Role == SourceEntryRole.DirectorySource)
        {
            return new ObservedEntry(status, [], null);
        }

        if (status.Kind is FileKind.Socket or FileKind.Unknown)
        {
            return null;
        }

        var content = status.Kind == FileKind.RegularFile ? ContentOf(entry.HostPath, status, cancellationToken) : null;
        return new ObservedEntry(status, [.. CopiedXattrs.Read(entry.HostPath)], content);
    }

    private byte[] ContentOf(string path, FileStatus status, CancellationToken cancellationToken)
    {
        var stamp = ContentStamp.Of(status);
        if (_contents.TryGetValue(path, out var known) && known.Stamp == stamp)
        {
            return known.Content;
        }

        var content = Hash(path, cancellationToken);
        Interlocked.Increment(ref _filesRead);

        // Remembered only when the file did not change while it was read.
        if (NativeFiles.TryLstat(path, out var after) && ContentStamp.Of(after) == stamp)
        {
            _contents[path] = (stamp, content);
        }

        return content;
    }

    private static byte[] Hash(string path, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan);
            int read;
            while ((read = file.Read(buffer, 0, BufferSize)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return hash.GetHashAndReset();
    }

    /// <summary>What tells, without reading it, that a file is the one read before.</summary>
    private readonly record struct ContentStamp(ulong Device, ulong Inode, long Size, FileTime Modified)
    {
        public static ContentStamp Of(FileStatus status) => new(status.Device, status.Inode, status.Size, status.ModificationTime);
    }
}
