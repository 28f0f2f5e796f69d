using Drydock.Foundation.Paths;
using Drydock.Layers;
using Drydock.Native;

namespace Drydock.Snapshot;

/// <summary>
/// Finds changes by walking the whole root and comparing each path's status with the previous
/// walk, under the rules of a <see cref="SnapshotMode"/>. Cost follows the size of the file
/// system; it needs no privilege and works on any file system, including the live "/".
/// Ignored paths are neither walked nor reported.
/// </summary>
public sealed class WalkingSnapshotter : ISnapshotter
{
    // Below this many directories in one level of the tree, threads cost more than they save.
    private const int ParallelLevelThreshold = 8;

    private readonly SnapshotOptions _options;
    private readonly ImagePathSet _ignored;
    private string? _root;
    private Dictionary<string, FileRecord>? _baseline;

    // The baseline's fingerprints, in modes that compare content only.
    private Dictionary<string, UInt128>? _fingerprints;

    public WalkingSnapshotter()
        : this(SnapshotOptions.Default)
    {
    }

    /// <param name="ignoredPaths">Image paths never walked or reported, e.g. <see cref="SystemPaths"/> and the work directory.</param>
    /// <param name="parallelism">Directories listed at once (default: one per processor; 1 walks on one thread).</param>
    public WalkingSnapshotter(IEnumerable<string> ignoredPaths, int parallelism = 0)
        : this(new SnapshotOptions { IgnoredPaths = [.. ignoredPaths], Parallelism = parallelism })
    {
    }

    public WalkingSnapshotter(SnapshotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Parallelism);
        _options = options;
        _ignored = options.IgnoredSet();
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

        (_baseline, _fingerprints) = await Task.Run(
            () =>
            {
                var records = Walk(root, 0, cancellationToken);
                var fingerprints = ChangeRules.ComparesContent(_options.Mode)
                    ? Fingerprint(root, records, records.Keys.ToList(), cancellationToken)
                    : null;
                return (records, fingerprints);
            },
            cancellationToken).ConfigureAwait(false);
        _root = root;
    }

    /// <summary>A walked root is written in place: the step's directory is the rootfs itself.</summary>
    public Task<string> PrepareStepAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_root ?? throw NotInitialized());

    public async Task<FilesystemDiff> SnapshotAsync(CancellationToken cancellationToken)
    {
        if (_root is null || _baseline is null)
        {
            throw NotInitialized();
        }

        var root = _root;
        var baseline = _baseline;
        var (diff, current, fingerprints) = await Task.Run(() => Compare(root, baseline, cancellationToken), cancellationToken).ConfigureAwait(false);
        _baseline = current;
        _fingerprints = fingerprints;
        return diff;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private (FilesystemDiff Diff, Dictionary<string, FileRecord> Current, Dictionary<string, UInt128>? Fingerprints) Compare(
        string root, Dictionary<string, FileRecord> before, CancellationToken cancellationToken)
    {
        var after = Walk(root, before.Count, cancellationToken);

        // A path whose status did not move at all cannot have changed under any mode; only the
        // others (new, or moved) are examined, and only they are hashed.
        var candidates = new List<string>();
        foreach (var (path, record) in after)
        {
            if (!before.TryGetValue(path, out var old) || old != record)
            {
                candidates.Add(path);
            }
        }

        Dictionary<string, UInt128>? fingerprints = null;
        if (_fingerprints is { } previous)
        {
            fingerprints = Fingerprint(root, after, candidates, cancellationToken);
            foreach (var path in after.Keys)
            {
                if (!fingerprints.ContainsKey(path))
                {
                    fingerprints[path] = previous[path];
                }
            }
        }

        var changed = new List<string>();
        foreach (var path in candidates)
        {
            if (!before.TryGetValue(path, out var old)
                || ChangeRules.StatusDiffers(_options.Mode, old, after[path])
                || (fingerprints is not null && fingerprints[path] != _fingerprints![path]))
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

        return (new FilesystemDiff(changed, deleted), after, fingerprints);
    }

    private Dictionary<string, UInt128> Fingerprint(string root, Dictionary<string, FileRecord> records, List<string> paths, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, UInt128>(records.Count, StringComparer.Ordinal);
        Parallel.ForEach(
            paths,
            new ParallelOptions { MaxDegreeOfParallelism = _options.EffectiveParallelism, CancellationToken = cancellationToken },
            () => new List<(string, UInt128)>(),
            (path, _, found) =>
            {
                found.Add((path, ContentFingerprint.Of(ImagePaths.ToHost(root, path), records[path].Kind)));
                return found;
            },
            found =>
            {
                lock (result)
                {
                    foreach (var (path, fingerprint) in found)
                    {
                        result[path] = fingerprint;
                    }
                }
            });
        return result;
    }

    // Breadth first, one level of the tree at a time; the directories of a level are listed in
    // parallel (stat calls dominate, and they scale with cores).
    private Dictionary<string, FileRecord> Walk(string root, int expectedCount, CancellationToken cancellationToken)
    {
        var records = new Dictionary<string, FileRecord>(expectedCount, StringComparer.Ordinal);
        var level = new List<string> { "/" };
        var parallelism = _options.EffectiveParallelism;
        while (level.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = new List<string>();
            if (parallelism == 1 || level.Count < ParallelLevelThreshold)
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
                    new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
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
            foreach (var name in DirectoryListing.Names(hostDirectory))
            {
                var path = ImagePaths.Child(directory, name);
                if (_ignored.ContainsExactly(path))
                {
                    continue;
                }

                var host = ImagePaths.HostChild(hostDirectory, name);
                if (FileRecord.TryRead(host) is not { } record)
                {
                    continue; // gone since it was listed
                }

                batch.Records[path] = record;
                if (record.Kind == FileKind.Directory)
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

    private static InvalidOperationException NotInitialized() =>
        new("InitializeAsync must record a baseline before the first step or snapshot.");

    /// <summary>What one thread found: records, and the directories to list in the next level.</summary>
    private sealed record WalkBatch(Dictionary<string, FileRecord> Records, List<string> Directories);
}
