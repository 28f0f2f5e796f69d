namespace Drydock.Foundation.Paths;

/// <summary>
/// Paths as the image sees them: absolute, "/"-separated, clean ("/usr/bin/env"; the root is "/").
/// They are plain strings so that sorting and lookups stay cheap; these helpers keep them clean.
/// </summary>
internal static class ImagePaths
{
    /// <summary>
    /// Cleans a tar entry name lexically into an image path. <paramref name="clamped"/> tells that
    /// the name was absolute or that a ".." would have climbed above the root (it is dropped).
    /// </summary>
    public static string CleanEntryName(string name, out bool clamped)
    {
        clamped = name.StartsWith('/');
        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count == 0)
                {
                    clamped = true;
                }
                else
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return "/" + string.Join('/', parts);
    }

    /// <summary>Validates an image path given by a caller (diff, ignore list) and returns its clean form.</summary>
    public static string Normalize(string path)
    {
        if (IsClean(path))
        {
            return path;
        }

        if (!path.StartsWith('/'))
        {
            throw new ArgumentException($"Image path '{path}' must be absolute.", nameof(path));
        }

        var clean = CleanEntryName(path, out _);
        if (path.Split('/').Contains(".."))
        {
            throw new ArgumentException($"Image path '{path}' must not contain '..'.", nameof(path));
        }

        return clean;
    }

    // The common case, checked without allocating: "/" or "/a/b" with no empty, "." or ".." parts.
    private static bool IsClean(string path)
    {
        if (path == "/")
        {
            return true;
        }

        if (path.Length < 2 || path[0] != '/' || path[^1] == '/')
        {
            return false;
        }

        var start = 1;
        while (start <= path.Length)
        {
            var end = path.IndexOf('/', start);
            if (end < 0)
            {
                end = path.Length;
            }

            var part = path.AsSpan(start, end - start);
            if (part.IsEmpty || part is "." or "..")
            {
                return false;
            }

            start = end + 1;
        }

        return true;
    }

    /// <summary>The parent of an image path; the parent of "/" is "/".</summary>
    public static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    /// <summary>The last component of an image path ("" for "/").</summary>
    public static string Name(string path) => path[(path.LastIndexOf('/') + 1)..];

    public static string Child(string directory, string name) =>
        directory == "/" ? "/" + name : directory + "/" + name;

    /// <summary>Where an image path lies on the host under <paramref name="root"/> (a full path without trailing "/").</summary>
    public static string ToHost(string root, string path) =>
        path == "/" ? root : root == "/" ? path : root + path;

    /// <summary>The image path of a host path known to lie inside <paramref name="root"/>.</summary>
    public static string FromHost(string root, string hostPath)
    {
        if (hostPath == root)
        {
            return "/";
        }

        return root == "/" ? hostPath : hostPath[root.Length..];
    }

    /// <summary>Joins a host directory and a file name.</summary>
    public static string HostChild(string hostDirectory, string name) =>
        hostDirectory.EndsWith('/') ? hostDirectory + name : hostDirectory + "/" + name;

    /// <summary>Every ancestor of an image path, nearest first, without "/".</summary>
    public static IEnumerable<string> Ancestors(string path)
    {
        for (var parent = Parent(path); parent != "/"; parent = Parent(parent))
        {
            yield return parent;
        }
    }

    /// <summary>The full path of a root directory, as the helpers above expect it.</summary>
    public static string FullRoot(string rootfs) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootfs));
}
