using System.Globalization;
using System.Text;
using Drydock.Building.Copy;
using Drydock.Foundation.Paths;
using Drydock.Native;

namespace Drydock.Building;

/// <summary>
/// The root an in-place build replaces ("/" in a container; a throwaway directory in tests), and
/// its ignore list: paths never snapshotted, overwritten or deleted (the kernel's file systems,
/// the executor's directory, every mount point, the user's --ignore-path). Between stages it is
/// emptied of everything else; a finished stage's files are moved out first, for later stages.
/// </summary>
internal sealed class InPlaceRoot
{
    public InPlaceRoot(string root, ImagePathSet ignored)
    {
        Root = ImagePaths.FullRoot(root);
        Ignored = ignored;
    }

    public string Root { get; }

    public ImagePathSet Ignored { get; }

    /// <summary>
    /// The ignore list of <paramref name="root"/>: image paths as given, host paths (the executor's
    /// and the work directories, say) where they lie inside the root, and the mount points of
    /// <paramref name="mountInfo"/> (/proc/self/mountinfo's text) inside it, but the root's own.
    /// </summary>
    public static ImagePathSet IgnoreList(string root, IEnumerable<string> imagePaths, IEnumerable<string> hostPaths, string? mountInfo)
    {
        root = ImagePaths.FullRoot(root);
        var paths = imagePaths.Select(ImagePaths.Normalize).ToList();
        foreach (var hostPath in hostPaths.Concat(MountPoints(mountInfo)).Select(ImagePaths.FullRoot))
        {
            if (hostPath != root && (root == "/" || hostPath.StartsWith(root + "/", StringComparison.Ordinal)))
            {
                paths.Add(ImagePaths.FromHost(root, hostPath));
            }
        }

        return new ImagePathSet(paths);
    }

    /// <summary>Removes everything but the ignore list (and the directories leading to its members).</summary>
    public void Reset(CancellationToken cancellationToken) => Clear(Root, cancellationToken);

    /// <summary>Resets the root when disposed (kaniko's --cleanup).</summary>
    public IDisposable ResetOnDispose() => new Resetter(this);

    /// <summary>
    /// Moves everything but the ignore list to <paramref name="destination"/> (an empty directory),
    /// keeping owners, modes and times; the directories leading to ignored paths are recreated
    /// there, and their ignored contents stay.
    /// </summary>
    public void MoveOut(string destination, CancellationToken cancellationToken)
    {
        // Times as they were before moving anything: moving changes the directories' own.
        var recreated = new List<(string Host, FileStatus Original)>();
        MoveChildren(Root, destination, recreated, cancellationToken);
        foreach (var (host, original) in Enumerable.Reverse(recreated))
        {
            NativeFiles.SetTimes(host, original.AccessTime, original.ModificationTime);
        }
    }

    private void Clear(string directory, CancellationToken cancellationToken)
    {
        foreach (var name in DirectoryNames(directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var host = ImagePaths.HostChild(directory, name);
            switch (Classify(host))
            {
                case Kind.Ignored:
                    break;
                case Kind.HoldsIgnored:
                    Clear(host, cancellationToken);
                    break;
                default:
                    Delete(host);
                    break;
            }
        }
    }

    private void MoveChildren(string directory, string destination, List<(string, FileStatus)> recreated, CancellationToken cancellationToken)
    {
        foreach (var name in DirectoryNames(directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var host = ImagePaths.HostChild(directory, name);
            var target = ImagePaths.HostChild(destination, name);
            switch (Classify(host))
            {
                case Kind.Ignored:
                    break;
                case Kind.HoldsIgnored:
                    var status = NativeFiles.Lstat(host);
                    Directory.CreateDirectory(target);
                    NativeFiles.Lchown(target, status.Uid, status.Gid);
                    NativeFiles.Chmod(target, status.Permissions);
                    recreated.Add((target, status));
                    MoveChildren(host, target, recreated, cancellationToken);
                    break;
                default:
                    Move(host, target, cancellationToken);
                    break;
            }
        }
    }

    private sealed class Resetter(InPlaceRoot root) : IDisposable
    {
        public void Dispose() => root.Reset(CancellationToken.None);
    }

    private enum Kind
    {
        Free,
        Ignored,
        HoldsIgnored,
    }

    private Kind Classify(string host)
    {
        var path = ImagePaths.FromHost(Root, host);
        if (Ignored.Covers(path))
        {
            return Kind.Ignored;
        }

        // A real directory above an ignored path is kept, its other contents are not; a symlink
        // there is an entry like any other (removing it touches nothing behind it).
        var prefix = path + "/";
        return Ignored.Paths.Any(p => p.StartsWith(prefix, StringComparison.Ordinal))
            && NativeFiles.TryLstat(host, out var status) && status.Kind == FileKind.Directory
                ? Kind.HoldsIgnored
                : Kind.Free;
    }

    private static void Move(string host, string target, CancellationToken cancellationToken)
    {
        try
        {
            NativeFiles.Rename(host, target);
        }
        catch (NativeFilesException e) when (e.IsCrossDevice)
        {
            // Across file systems: a mounted volume, or a directory of an overlay's lower layer.
            TreeCopy.CopyPath(host, target, cancellationToken);
            Delete(host);
        }
    }

    /// <summary>Removes a file, link or whole directory; never follows a symlink (a link to a directory goes, not what it points to).</summary>
    public static void Delete(string host)
    {
        if (NativeFiles.TryLstat(host, out var status) && status.Kind == FileKind.Directory)
        {
            Directory.Delete(host, recursive: true);
        }
        else
        {
            File.Delete(host);
        }
    }

    private static string[] DirectoryNames(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).OfType<string>()];

    /// <summary>The mount points of /proc/self/mountinfo's text (its fifth field, octal escapes undone).</summary>
    private static IEnumerable<string> MountPoints(string? mountInfo)
    {
        foreach (var line in (mountInfo ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && fields[4].StartsWith('/'))
            {
                yield return Unescape(fields[4]);
            }
        }
    }

    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var bytes = new List<byte>();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length
                && int.TryParse(field.AsSpan(i + 1, 3), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                bytes.Add(Convert.ToByte(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(field[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }
}
