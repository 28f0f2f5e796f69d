using System.IO.Enumeration;
using Drydock.Layers;
using Drydock.Native;

namespace Drydock.Snapshot;

/// <summary>
/// Reads a step's diff out of an overlay's upper directory, compared with the lower directory it
/// was mounted over (both unmounted and at rest). Cost follows the upper directory, plus a listing
/// of each lower directory an opaque one hid.
/// </summary>
/// <remarks>
/// The result is the diff the walking snapshotter finds for the same change: the same
/// <see cref="ChangeRules"/> decide whether a copied-up path changed (an upper entry whose lower
/// counterpart is equal under the mode is dropped), and an opaque directory becomes explicit
/// deletions of the lower entries it hid, because a walk cannot tell a directory recreated from
/// one emptied, and the layer must depend only on the states before and after the step.
/// </remarks>
internal sealed class OverlayDiff(string lower, string upper, SnapshotOptions options, ImagePathSet ignored)
{
    private static readonly EnumerationOptions ListOneDirectory = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    private readonly List<string> _changed = [];
    private readonly List<string> _deleted = [];

    public FilesystemDiff Compute(CancellationToken cancellationToken)
    {
        Visit("/", hidesLower: false, lowerIsDirectory: true, cancellationToken);
        return new FilesystemDiff(_changed, _deleted);
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
            hiddenLowerNames = new HashSet<string>(List(ImagePaths.ToHost(lower, directory)), StringComparer.Ordinal);
        }

        foreach (var name in List(upperDirectory))
        {
            hiddenLowerNames?.Remove(name);
            var path = ImagePaths.Child(directory, name);
            if (ignored.ContainsExactly(path) || FileRecord.TryRead(ImagePaths.ToHost(upper, path)) is not { } record)
            {
                continue;
            }

            var lowerRecord = lowerIsDirectory ? FileRecord.TryRead(ImagePaths.ToHost(lower, path)) : null;
            if (OverlayMarkers.IsWhiteout(record))
            {
                if (lowerRecord is not null)
                {
                    _deleted.Add(path);
                }

                continue;
            }

            if (lowerRecord is not { } before || Differs(path, before, record))
            {
                _changed.Add(path);
            }

            if (record.Kind == FileKind.Directory)
            {
                var opaque = hidesLower || OverlayMarkers.IsOpaque(ImagePaths.ToHost(upper, path));
                Visit(path, opaque, lowerRecord?.Kind == FileKind.Directory, cancellationToken);
            }
        }

        foreach (var name in hiddenLowerNames ?? [])
        {
            var path = ImagePaths.Child(directory, name);
            if (!ignored.ContainsExactly(path))
            {
                _deleted.Add(path);
            }
        }
    }

    private bool Differs(string path, FileRecord before, FileRecord after) =>
        ChangeRules.StatusDiffers(options.Mode, before, after)
        || (ChangeRules.ComparesContent(options.Mode)
            && ContentFingerprint.Of(ImagePaths.ToHost(lower, path), before.Kind) != ContentFingerprint.Of(ImagePaths.ToHost(upper, path), after.Kind));

    private static FileSystemEnumerable<string> List(string hostDirectory) =>
        new(hostDirectory, static (ref FileSystemEntry entry) => entry.FileName.ToString(), ListOneDirectory);
}
