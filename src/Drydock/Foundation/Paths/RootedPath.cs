namespace Drydock.Foundation.Paths;

/// <summary>
/// Resolves a path as if <c>root</c> were "/" (the semantics of openat2's RESOLVE_IN_ROOT):
/// ".." never climbs above the root and absolute symlink targets restart at the root, so the
/// result always lies inside it. Only our own process writes the tree while a path is resolved,
/// so resolving by name (rather than by file descriptor) is race-free here.
/// </summary>
public static class RootedPath
{
    // Linux's own limit on symlinks followed in one lookup (MAXSYMLINKS).
    private const int MaxLinkHops = 40;

    /// <summary>
    /// Resolves <paramref name="path"/> (absolute or relative to "/") inside <paramref name="root"/>.
    /// Every symlink among the parents is followed within the root; the last component is followed
    /// only when <paramref name="followLast"/> is true. Missing components are allowed: the result
    /// then names where they would be created.
    /// </summary>
    public static string Resolve(string root, string path, bool followLast = true) =>
        Resolve(root, path, followLast, out _);

    /// <summary>
    /// As <see cref="Resolve(string, string, bool)"/>, and tells through <paramref name="clamped"/>
    /// whether a ".." (in the path or in a symlink target) tried to climb above the root: a sign
    /// of a hostile archive worth a warning.
    /// </summary>
    public static string Resolve(string root, string path, bool followLast, out bool clamped)
    {
        clamped = false;
        root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var resolved = new List<string>();
        var pending = new Stack<string>();
        PushComponents(pending, path);
        var hops = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }
                else
                {
                    clamped = true;
                }

                continue;
            }

            var candidate = Join(root, resolved, part);
            var isLast = pending.Count == 0;
            var target = isLast && !followLast ? null : new FileInfo(candidate).LinkTarget;
            if (target is null)
            {
                resolved.Add(part);
                continue;
            }

            if (++hops > MaxLinkHops)
            {
                throw new IOException($"Too many levels of symbolic links resolving '{path}' inside '{root}'.");
            }

            if (target.StartsWith('/'))
            {
                resolved.Clear();
            }

            PushComponents(pending, target);
        }

        return resolved.Count == 0 ? root : Join(root, resolved, null);
    }

    /// <summary>The path of <paramref name="hostPath"/> relative to <paramref name="root"/>, as an absolute in-image path.</summary>
    public static string ToImagePath(string root, string hostPath)
    {
        var relative = Path.GetRelativePath(root, hostPath);
        return relative == "." ? "/" : "/" + relative;
    }

    private static void PushComponents(Stack<string> pending, string path)
    {
        var parts = path.Split('/');
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }

    private static string Join(string root, List<string> parts, string? last)
    {
        var inner = string.Join('/', parts);
        if (last is not null)
        {
            inner = inner.Length == 0 ? last : inner + "/" + last;
        }

        // A root of "/" (in-place builds) must not give "//etc".
        return inner.Length == 0 ? root : root == "/" ? "/" + inner : root + "/" + inner;
    }
}
