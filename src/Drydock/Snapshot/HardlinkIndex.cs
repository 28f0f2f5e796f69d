using Drydock.Foundation.Paths;
using Drydock.Native;

namespace Drydock.Snapshot;

/// <summary>
/// Every name of every file of a rootfs that has more than one name (a hardlinked non-directory),
/// by inode. overlayfs shows a step all names of a changed lower file as one, but its upper
/// directory holds only the names the step used: the other names, which the merge-down must link
/// to the changed file, can only be found here.
/// </summary>
/// <remarks>
/// One walk builds it (a <c>stat</c> per entry, only hardlinked files kept), and each step's merge
/// updates it from what the step touched, so it stays exact without walking again: a file gains
/// names only through the upper directory (overlayfs copies a file up before linking it), and loses
/// names only where the step deleted or replaced lower paths. Ignored paths are not indexed, as
/// the walking snapshotter does not look at them either. Inode numbers are those of the rootfs'
/// file system; entries of other file systems mounted inside it are left out, overlayfs does not
/// show them.
/// </remarks>
internal sealed class HardlinkIndex
{
    private readonly ulong _device;
    private readonly Dictionary<ulong, SortedSet<string>> _namesByInode = [];
    private readonly Dictionary<string, ulong> _inodeByName = new(StringComparer.Ordinal);

    // The same names in order, so that the names beneath a deleted directory are a range.
    private readonly SortedSet<string> _names = new(StringComparer.Ordinal);

    private HardlinkIndex(ulong device)
    {
        _device = device;
    }

    /// <summary>Walks <paramref name="root"/> once, on one thread, keeping only files with several names.</summary>
    public static HardlinkIndex Build(string root, ImagePathSet ignored, CancellationToken cancellationToken)
    {
        var index = new HardlinkIndex(NativeFiles.Lstat(root).Device);
        var directories = new Stack<string>();
        directories.Push("/");
        while (directories.TryPop(out var directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var hostDirectory = ImagePaths.ToHost(root, directory);
            foreach (var name in DirectoryListing.Names(hostDirectory))
            {
                var path = ImagePaths.Child(directory, name);
                if (ignored.ContainsExactly(path) || !NativeFiles.TryLstat(ImagePaths.HostChild(hostDirectory, name), out var status))
                {
                    continue;
                }

                if (status.Kind != FileKind.Directory)
                {
                    index.Record(path, status);
                }
                else if (status.Device == index._device)
                {
                    directories.Push(path);
                }
            }
        }

        return index;
    }

    /// <summary>Every name of the file with <paramref name="inode"/>, sorted; empty when it has one name or is not indexed.</summary>
    public IReadOnlyCollection<string> NamesOf(ulong inode) =>
        _namesByInode.TryGetValue(inode, out var names) ? names : [];

    public bool TryGetInode(string path, out ulong inode) => _inodeByName.TryGetValue(path, out inode);

    /// <summary>The indexed names that are <paramref name="path"/> or lie beneath it.</summary>
    public IEnumerable<string> NamesAtOrUnder(string path)
    {
        if (_inodeByName.ContainsKey(path))
        {
            yield return path;
        }

        // Ordinally, every "path/…" sorts after "path/" and before "path0" ('0' follows '/').
        var stem = path == "/" ? "" : path;
        var prefix = stem + "/";
        foreach (var name in _names.GetViewBetween(prefix, stem + "0"))
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return name;
            }
        }
    }

    /// <summary>
    /// Brings the index up to date after a step was merged into <paramref name="root"/>: names at
    /// or beneath <paramref name="removed"/> (lower paths the step deleted or replaced) are
    /// forgotten, then each of <paramref name="touched"/> (every non-directory the step wrote that
    /// may have several names) is indexed as it now is.
    /// </summary>
    public void Update(string root, IEnumerable<string> removed, IEnumerable<string> touched)
    {
        foreach (var path in removed)
        {
            foreach (var name in NamesAtOrUnder(path).ToList())
            {
                Forget(name);
            }
        }

        foreach (var path in touched)
        {
            Forget(path);
            if (NativeFiles.TryLstat(ImagePaths.ToHost(root, path), out var status) && status.Kind != FileKind.Directory)
            {
                Record(path, status);
            }
        }
    }

    private void Record(string path, FileStatus status)
    {
        if (status.LinkCount < 2 || status.Device != _device)
        {
            return;
        }

        if (!_namesByInode.TryGetValue(status.Inode, out var names))
        {
            names = new SortedSet<string>(StringComparer.Ordinal);
            _namesByInode[status.Inode] = names;
        }

        names.Add(path);
        _inodeByName[path] = status.Inode;
        _names.Add(path);
    }

    private void Forget(string path)
    {
        if (!_inodeByName.Remove(path, out var inode))
        {
            return;
        }

        _names.Remove(path);
        var names = _namesByInode[inode];
        names.Remove(path);
        if (names.Count == 0)
        {
            _namesByInode.Remove(inode);
        }
    }
}
