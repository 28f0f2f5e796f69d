using System.IO.Enumeration;
using Drydock.Layers;
using Drydock.Native;

namespace Drydock.Snapshot;

/// <summary>
/// Finds changes by walking the whole root and comparing each path's metadata with the previous
/// walk (kaniko's "full" mode without content hashing). Cost follows the size of the file system.
/// Ignored paths are neither walked nor reported.
/// </summary>
public sealed class WalkingSnapshotter : ISnapshotter
{
    private static readonly EnumerationOptions ListOneDirectory = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    // Below this many directories in one level of the tree, threads cost more than they save.
    private const int ParallelLevelThreshold = 8;

    private readonly ImagePathSet _ignored;
    private readonly int _parallelism;
    private string? _root;
    private Dictionary<string, FileRecord>? _baseline;

    public WalkingSnapshotter()
        : this([])
    {
    }

    /// <param name="ignoredPaths">Image paths never walked or reported, e.g. <see cref="SystemPaths"/> and the work directory.</param>
    /// <param name="parallelism">Directories listed at once (default: one per processor; 1 walks on one thread).</param>
    public WalkingSnapshotter(IEnumerable<string> ignoredPaths, int parallelism = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parallelism);
        _ignored = new ImagePathSet(ignoredPaths);
        _parallelism = parallelism == 0 ? Environment.ProcessorCount : parallelism;
    }

    /// <summary>The kernel's own file systems, which no layer may capture when the root is "/".</summary>
    public static IReadOnlyList<string> SystemPaths { get; } = ["/proc", "/sys", "/dev"];

    public async Task InitializeAsync(string rootfs, CancellationToken cancellationToken)
    {
        var root = ImagePaths.FullRoot(rootfs);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The root file system '{root}' does not exist.");
        }

        _baseline = await Task.Run(() => Walk(root, 0, cancellationToken), cancellationToken).ConfigureAwait(false);
        _root = root;
    }

    public async Task<FilesystemDiff> SnapshotAsync(CancellationToken cancellationToken)
    {
        if (_root is null || _baseline is null)
        {
            throw new InvalidOperationException("InitializeAsync must record a baseline before the first snapshot.");
        }

        var root = _root;
        var baseline = _baseline;
        var current = await Task.Run(() => Walk(root, baseline.Count, cancellationToken), cancellationToken).ConfigureAwait(false);
        var diff = Compare(baseline, current);
        _baseline = current;
        return diff;
    }

    internal static FilesystemDiff Compare(Dictionary<string, FileRecord> before, Dictionary<string, FileRecord> after)
    {
        var changed = new List<string>();
        foreach (var (path, record) in after)
        {
            if (!before.TryGetValue(path, out var old) || old != record)
            {
                changed.Add(path);
            }
        }

        // Only the topmost deletion is reported: a path whose parent is gone, or is no longer a
        // directory, disappears with that parent's own entry.
        var deleted = new List<string>();
        foreach (var path in before.Keys)
        {
            if (after.ContainsKey(path))
            {
                continue;
            }

            var parent = ImagePaths.Parent(path);
            if (parent == "/" || (after.TryGetValue(parent, out var parentNow) && parentNow.Kind == FileKind.Directory))
            {
                deleted.Add(path);
            }
        }

        return new FilesystemDiff(changed, deleted);
    }

    // Breadth first, one level of the tree at a time; the directories of a level are listed in
    // parallel (stat calls dominate, and they scale with cores).
    private Dictionary<string, FileRecord> Walk(string root, int expectedCount, CancellationToken cancellationToken)
    {
        var records = new Dictionary<string, FileRecord>(expectedCount, StringComparer.Ordinal);
        var level = new List<string> { "/" };
        while (level.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = new List<string>();
            if (_parallelism == 1 || level.Count < ParallelLevelThreshold)
            {
                var batch = new WalkBatch(records, next);
                foreach (var directory in level)
                {
                    ListDirectory(root, directory, batch);
                }
            }
            else
            {
                Parallel.ForEach(
                    level,
                    new ParallelOptions { MaxDegreeOfParallelism = _parallelism, CancellationToken = cancellationToken },
                    () => new WalkBatch([], []),
                    (directory, _, batch) =>
                    {
                        ListDirectory(root, directory, batch);
                        return batch;
                    },
                    batch =>
                    {
                        lock (records)
                        {
                            foreach (var (path, record) in batch.Records)
                            {
                                records[path] = record;
                            }

                            next.AddRange(batch.Directories);
                        }
                    });
            }

            level = next;
        }

        return records;
    }

    private void ListDirectory(string root, string directory, WalkBatch batch)
    {
        var hostDirectory = ImagePaths.ToHost(root, directory);
        try
        {
            var names = new FileSystemEnumerable<string>(hostDirectory, static (ref FileSystemEntry entry) => entry.FileName.ToString(), ListOneDirectory);
            foreach (var name in names)
            {
                var path = ImagePaths.Child(directory, name);
                if (_ignored.ContainsExactly(path))
                {
                    continue;
                }

                var host = ImagePaths.HostChild(hostDirectory, name);
                if (!NativeFiles.TryLstat(host, out var status))
                {
                    continue; // gone since it was listed
                }

                var target = status.Kind == FileKind.SymbolicLink ? new FileInfo(host).LinkTarget : null;
                batch.Records[path] = FileRecord.From(status, target);
                if (status.Kind == FileKind.Directory)
                {
                    batch.Directories.Add(path);
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Removed while we walked; its own entry records what is left of it.
        }
    }

    /// <summary>What one thread found: records, and the directories to list in the next level.</summary>
    private sealed record WalkBatch(Dictionary<string, FileRecord> Records, List<string> Directories);
}
