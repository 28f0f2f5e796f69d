using System.Globalization;
using System.Security.Cryptography;
using Drydock.Native;

namespace Drydock.TestSupport;

/// <summary>
/// Every path of a root file system with what a layer must carry: type, mode, owner, size,
/// content hash, link target, device numbers, xattrs, the other names of a hardlinked file and,
/// when asked, the modification time. Two trees that must hold the same files list the same lines.
/// </summary>
public static class RootfsListing
{
    /// <summary>Every path below <paramref name="root"/> as an image path (<c>/etc/passwd</c>), hidden ones included, in ordinal order.</summary>
    public static List<string> Paths(string root) =>
        [.. Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(p => p[root.Length..])
            .Order(StringComparer.Ordinal)];

    /// <summary>Everything below a directory as sorted relative paths, a directory's (not a link's) ending with '/'.</summary>
    public static IReadOnlyList<string> Tree(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(directory, p) + (Directory.Exists(p) && new FileInfo(p).LinkTarget is null ? "/" : ""))
            .Order(StringComparer.Ordinal)];

    /// <summary>Each image path with its description.</summary>
    public static SortedDictionary<string, string> Of(string root, bool withTimes = false)
    {
        var paths = Paths(root);
        var statuses = paths.ToDictionary(p => p, p => NativeFiles.Lstat(root + p), StringComparer.Ordinal);
        var names = statuses.Where(s => s.Value.Kind != FileKind.Directory && s.Value.LinkCount > 1)
            .GroupBy(s => s.Value.Inode, s => s.Key)
            .ToDictionary(g => g.Key, g => string.Join(',', g.Order(StringComparer.Ordinal)));
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Parallel.ForEach(paths, path =>
        {
            var line = Describe(root + path, statuses[path], names, withTimes);
            lock (entries)
            {
                entries[path] = line;
            }
        });
        return entries;
    }

    /// <summary>One line per path, <c>PATH DESCRIPTION</c>, in ordinal order: what an assertion compares whole.</summary>
    public static List<string> Lines(string root, bool withTimes = false) =>
        [.. Of(root, withTimes).Select(e => $"{e.Key} {e.Value}")];

    /// <summary>How a line of <see cref="Differences"/> starts for a path only the side named <paramref name="side"/> has.</summary>
    public static string OnlyIn(string side) => $"only {side}: ";

    /// <summary>One line per path that is missing on one side or described differently.</summary>
    public static List<string> Differences(SortedDictionary<string, string> ours, SortedDictionary<string, string> theirs, string oursName, string theirsName)
    {
        var differences = new List<string>();
        foreach (var path in ours.Keys.Union(theirs.Keys).Order(StringComparer.Ordinal))
        {
            var mine = ours.GetValueOrDefault(path);
            var other = theirs.GetValueOrDefault(path);
            if (mine == other)
            {
                continue;
            }

            differences.Add(mine is null ? $"{OnlyIn(theirsName)}{path} {other}"
                : other is null ? $"{OnlyIn(oursName)}{path} {mine}"
                : $"differs: {path}\n  {oursName}: {mine}\n  {theirsName}: {other}");
        }

        return differences;
    }

    private static string Describe(string host, FileStatus status, Dictionary<ulong, string> names, bool withTimes)
    {
        var regular = status.Kind == FileKind.RegularFile;
        var content = regular ? Hash(host) : "-";
        var target = status.Kind == FileKind.SymbolicLink ? new FileInfo(host).LinkTarget : "-";
        var mode = status.Kind == FileKind.SymbolicLink ? "-" : Convert.ToString((int)status.Permissions, 8);
        var xattrs = string.Join(',', NativeFiles.ListXattrs(host).Order(StringComparer.Ordinal)
            .Select(x => x + "=" + Convert.ToHexString(NativeFiles.GetXattr(host, x) ?? [])));
        var links = names.GetValueOrDefault(status.Inode, "-");
        var line = $"{status.Kind} mode={mode} owner={status.Uid}:{status.Gid} size={(regular ? status.Size : 0)} content={content} " +
            $"target={target} rdev={status.RdevMajor},{status.RdevMinor} xattrs={xattrs} links={links}";
        return withTimes
            ? line + string.Create(CultureInfo.InvariantCulture, $" mtime={status.ModificationTime.Seconds}.{status.ModificationTime.Nanoseconds:D9}")
            : line;
    }

    private static string Hash(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(file))[..16];
    }
}
