namespace Drydock.Foundation.Paths;

/// <summary>
/// A set of image paths that also covers everything beneath each member: the ignore list of a
/// build (/proc, /sys, /dev, the work directory…), never walked, written or deleted.
/// </summary>
public sealed class ImagePathSet
{
    private readonly HashSet<string> _paths;

    public ImagePathSet(IEnumerable<string> paths)
    {
        _paths = new HashSet<string>(paths.Select(ImagePaths.Normalize), StringComparer.Ordinal);
    }

    public static ImagePathSet Empty { get; } = new([]);

    public IReadOnlyCollection<string> Paths => _paths;

    public bool IsEmpty => _paths.Count == 0;

    /// <summary>True when <paramref name="path"/> is a member or lies beneath one.</summary>
    public bool Covers(string path)
    {
        if (_paths.Count == 0)
        {
            return false;
        }

        if (_paths.Contains(path))
        {
            return true;
        }

        foreach (var ancestor in ImagePaths.Ancestors(path))
        {
            if (_paths.Contains(ancestor))
            {
                return true;
            }
        }

        return _paths.Contains("/");
    }

    /// <summary>True when <paramref name="path"/> itself is a member (a walker that never descends into members needs no more).</summary>
    public bool ContainsExactly(string path) => _paths.Contains(path);
}
