using Drydock.Foundation.Paths;
using Drydock.Layers;
using Drydock.Native;

namespace Drydock.Snapshot;

/// <summary>
/// Reads a step's diff out of an overlay's upper directory, compared with the lower directory it
/// was mounted over (both unmounted and at rest), and what the merge-down must do besides renaming
/// the upper directory's entries. Cost follows the upper directory, plus a listing of each lower
/// directory an opaque one hid, plus the names of the hardlinked lower files the step touched.
/// </summary>
/// <remarks>
/// <para>
/// The result is the diff the walking snapshotter finds for the same change: the same
/// <see cref="ChangeRules"/> decide whether a copied-up path changed (an upper entry whose lower
/// counterpart is equal under the mode is dropped), and an opaque directory becomes explicit
/// deletions of the lower entries it hid, because a walk cannot tell a directory recreated from
/// one emptied, and the layer must depend only on the states before and after the step.
/// </para>
/// <para>
/// A lower file with several names that the step changed in place (through any of its names) was
/// copied up once (see <see cref="OverlayCopies"/>), but only the names the step used are in the
/// upper directory. In the walked rootfs every name of that file changed with it, so every other
/// name that the step left alone is reported as the copy is, and must be linked to the copy
/// (<see cref="OverlayStep.Relinks"/>). A name the step deleted or replaced (rename over, delete
/// and re-create) is not: it no longer refers to that file. Removing a name changes the file's
/// ctime, so where the mode looks at it the remaining names are reported too.
/// </para>
/// </remarks>
internal sealed class OverlayDiff(
    string lower, string upper, SnapshotOptions options, ImagePathSet ignored, HardlinkIndex links, IReadOnlyDictionary<ulong, ulong> copies)
{
    private readonly List<string> _changed = [];
    private readonly List<string> _deleted = [];

    // Lower paths whose entry the step deleted or replaced (with all beneath them), and upper
    // non-directories with several names: what the hardlink index must forget and relearn.
    private readonly List<string> _replaced = [];
    private readonly List<string> _linked = [];

    // Per lower inode the step copied up: one upper name of the copy, and whether the copy
    // differs from the lower file under the mode (decided once for all its names).
    private readonly Dictionary<ulong, string> _copies = [];
    private readonly Dictionary<ulong, bool> _copyDiffers = [];

    // Lower names whose upper entry is the copy of their own lower file.
    private readonly HashSet<string> _copiedNames = new(StringComparer.Ordinal);

    public OverlayStep Compute(CancellationToken cancellationToken)
    {
        Visit("/", hidesLower: false, lowerIsDirectory: true, cancellationToken);
        var replaced = new ImagePathSet(_replaced);
        var relinks = new List<Relink>();
        foreach (var (inode, copy) in _copies)
        {
            foreach (var name in links.NamesOf(inode))
            {
                if (_copiedNames.Contains(name) || replaced.Covers(name))
                {
                    continue;
                }

                relinks.Add(new Relink(name, copy, inode));
                if (CopyDiffers(inode, name, copy))
                {
                    _changed.Add(name);
                }
            }
        }

        if (ChangeRules.RemovingANameChangesTheOthers(options.Mode))
        {
            _changed.AddRange(RemainingNames(replaced));
        }

        return new OverlayStep(new FilesystemDiff(_changed, _deleted), relinks, _replaced, [.. _linked, .. relinks.Select(r => r.Name)]);
    }

    /// <param name="directory">An image path that is a directory in the upper directory.</param>
    /// <param name="hidesLower">The directory is opaque or lies in one: no lower entry beneath it shows.</param>
    /// <param name="lowerIsDirectory">
    /// The lower path is a real directory, reached through real directories only: lower paths are
    /// looked at only then, so a lower symlink is never followed (out of the root, possibly).
    /// </param>
    private void Visit(string directory, bool hidesLower, bool lowerIsDirectory, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var upperDirectory = ImagePaths.ToHost(upper, directory);
        HashSet<string>? hiddenLowerNames = null;
        if (hidesLower && lowerIsDirectory)
        {
            hiddenLowerNames = new HashSet<string>(DirectoryListing.Names(ImagePaths.ToHost(lower, directory)), StringComparer.Ordinal);
        }

        foreach (var name in DirectoryListing.Names(upperDirectory))
        {
            hiddenLowerNames?.Remove(name);
            var path = ImagePaths.Child(directory, name);
            if (ignored.ContainsExactly(path) || FileRecord.TryRead(ImagePaths.ToHost(upper, path), out var status) is not { } record)
            {
                continue;
            }

            var lowerRecord = lowerIsDirectory ? FileRecord.TryRead(ImagePaths.ToHost(lower, path)) : null;
            if (OverlayMarkers.IsWhiteout(record))
            {
                if (lowerRecord is not null)
                {
                    _deleted.Add(path);
                    _replaced.Add(path);
                }

                continue;
            }

            var opaque = record.Kind == FileKind.Directory && (hidesLower || OverlayMarkers.IsOpaque(ImagePaths.ToHost(upper, path)));
            ulong? copiedFrom = null;
            if (record.Kind != FileKind.Directory)
            {
                if (status.LinkCount > 1)
                {
                    _linked.Add(path);
                }

                if (copies.TryGetValue(record.Inode, out var inode))
                {
                    _copies.TryAdd(inode, path);
                    copiedFrom = inode;
                }
            }

            if (lowerRecord is not { } before)
            {
                _changed.Add(path);
            }
            else if (copiedFrom is { } inode && before.Kind != FileKind.Directory && before.Inode == inode)
            {
                _copiedNames.Add(path);
                if (CopyDiffers(inode, path, path))
                {
                    _changed.Add(path);
                }
            }
            else
            {
                if (record.Kind != FileKind.Directory || before.Kind != FileKind.Directory || opaque)
                {
                    _replaced.Add(path);
                }

                if (Differs(path, before, path, record))
                {
                    _changed.Add(path);
                }
            }

            if (record.Kind == FileKind.Directory)
            {
                Visit(path, opaque, lowerRecord?.Kind == FileKind.Directory, cancellationToken);
            }
        }

        foreach (var name in hiddenLowerNames ?? [])
        {
            var path = ImagePaths.Child(directory, name);
            if (!ignored.ContainsExactly(path))
            {
                _deleted.Add(path);
                _replaced.Add(path);
            }
        }
    }

    /// <summary>
    /// The names left to lower files that lost a name to the step and were not copied up (those
    /// that were are linked to their copy and reported as it is).
    /// </summary>
    private IEnumerable<string> RemainingNames(ImagePathSet replaced)
    {
        var shrunk = new HashSet<ulong>();
        foreach (var path in _replaced)
        {
            foreach (var name in links.NamesAtOrUnder(path))
            {
                if (links.TryGetInode(name, out var inode) && !_copies.ContainsKey(inode))
                {
                    shrunk.Add(inode);
                }
            }
        }

        return shrunk.SelectMany(links.NamesOf).Where(name => !replaced.Covers(name));
    }

    /// <summary>Whether the copy of lower file <paramref name="inode"/>, one of whose lower names is <paramref name="lowerPath"/>, differs from it.</summary>
    private bool CopyDiffers(ulong inode, string lowerPath, string upperPath)
    {
        if (!_copyDiffers.TryGetValue(inode, out var differs))
        {
            var before = FileRecord.TryRead(ImagePaths.ToHost(lower, lowerPath));
            var after = FileRecord.TryRead(ImagePaths.ToHost(upper, upperPath));
            differs = before is not { } b || after is not { } a || Differs(lowerPath, b, upperPath, a);
            _copyDiffers[inode] = differs;
        }

        return differs;
    }

    private bool Differs(string lowerPath, FileRecord before, string upperPath, FileRecord after) =>
        ChangeRules.StatusDiffers(options.Mode, before, after)
        || (ChangeRules.ComparesContent(options.Mode)
            && ContentFingerprint.Of(ImagePaths.ToHost(lower, lowerPath), before.Kind) != ContentFingerprint.Of(ImagePaths.ToHost(upper, upperPath), after.Kind));
}

/// <summary>What a step changed, and what merging it down takes besides renaming its upper directory's entries.</summary>
/// <param name="Diff">The step's diff, as the walking snapshotter finds it.</param>
/// <param name="Relinks">Lower names to link to the copy of their file the step made.</param>
/// <param name="Replaced">Lower paths the step deleted or replaced, with everything beneath them.</param>
/// <param name="Linked">Paths that may now have several names: upper non-directories that have, and the relinked names.</param>
internal sealed record OverlayStep(FilesystemDiff Diff, IReadOnlyList<Relink> Relinks, IReadOnlyList<string> Replaced, IReadOnlyList<string> Linked);

/// <summary>
/// Link <paramref name="Name"/>, which the step left alone, to the copy it made of the lower file
/// (<paramref name="LowerInode"/>) they both named; after the merge the copy is at <paramref name="Copy"/>.
/// </summary>
internal readonly record struct Relink(string Name, string Copy, ulong LowerInode);
