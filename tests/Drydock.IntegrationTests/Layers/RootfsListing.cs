using System.Security.Cryptography;
using Drydock.Native;

namespace Drydock.IntegrationTests.Layers;

/// <summary>
/// Every path of an unpacked root file system with what a layer must carry: type, mode, owner,
/// size, content hash, link target, device numbers, xattrs, and the other names of a hardlinked
/// file. Times are left out: two builds never run at the same moment.
/// </summary>
internal static class RootfsListing
{
    /// <summary>How a line of <see cref="Differences"/> starts for a path only buildah's image has.</summary>
    public const string OnlyBuildah = "only buildah: ";

    public static SortedDictionary<string, string> Of(string root)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var paths = Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(p => p[root.Length..])
            .ToList();
        var statuses = paths.ToDictionary(p => p, p => NativeFiles.Lstat(root + p), StringComparer.Ordinal);
        var names = statuses.Where(s => s.Value.Kind != FileKind.Directory && s.Value.LinkCount > 1)
            .GroupBy(s => s.Value.Inode, s => s.Key)
            .ToDictionary(g => g.Key, g => string.Join(',', g.Order(StringComparer.Ordinal)));
        Parallel.ForEach(paths, path =>
        {
            var host = root + path;
            var status = statuses[path];
            var regular = status.Kind == FileKind.RegularFile;
            var content = regular ? Hash(host) : "-";
            var target = status.Kind == FileKind.SymbolicLink ? new FileInfo(host).LinkTarget : "-";
            var mode = status.Kind == FileKind.SymbolicLink ? "-" : Convert.ToString((int)status.Permissions, 8);
            var xattrs = string.Join(',', NativeFiles.ListXattrs(host).Order(StringComparer.Ordinal)
                .Select(x => x + "=" + Convert.ToHexString(NativeFiles.GetXattr(host, x) ?? [])));
            var links = names.GetValueOrDefault(status.Inode, "-");
            var line = $"{status.Kind} mode={mode} owner={status.Uid}:{status.Gid} size={(regular ? status.Size : 0)} content={content} " +
                $"target={target} rdev={status.RdevMajor},{status.RdevMinor} xattrs={xattrs} links={links}";
            lock (entries)
            {
                entries[path] = line;
            }
        });
        return entries;
    }

    /// <summary>One line per path that is missing on one side or described differently.</summary>
    public static List<string> Differences(SortedDictionary<string, string> drydock, SortedDictionary<string, string> buildah)
    {
        var differences = new List<string>();
        foreach (var path in drydock.Keys.Union(buildah.Keys).Order(StringComparer.Ordinal))
        {
            var ours = drydock.GetValueOrDefault(path);
            var theirs = buildah.GetValueOrDefault(path);
            if (ours == theirs)
            {
                continue;
            }

            differences.Add(ours is null ? $"{OnlyBuildah}{path} {theirs}"
                : theirs is null ? $"only drydock: {path} {ours}"
                : $"differs: {path}\n  drydock: {ours}\n  buildah: {theirs}");
        }

        return differences;
    }

    private static string Hash(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(file))[..16];
    }
}
