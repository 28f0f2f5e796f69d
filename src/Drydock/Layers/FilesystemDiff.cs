using Drydock.Foundation.Paths;

namespace Drydock.Layers;

/// <summary>
/// What changed in a root file system between two moments, as image paths ("/etc/passwd").
/// <see cref="Changed"/> holds every added or modified file, directory, link or node (a new
/// directory's children are listed too); <see cref="Deleted"/> holds the topmost deleted paths
/// only (a deleted directory is one entry). Both are sorted ordinally, so parents come first.
/// It lives in Layers, not Snapshot, because the layer writer consumes it and imports point down.
/// </summary>
public sealed record FilesystemDiff
{
    public FilesystemDiff(IEnumerable<string> changed, IEnumerable<string> deleted)
    {
        Changed = Sorted(changed);
        Deleted = Sorted(deleted);
    }

    public static FilesystemDiff Empty { get; } = new([], []);

    public IReadOnlyList<string> Changed { get; }

    public IReadOnlyList<string> Deleted { get; }

    public bool IsEmpty => Changed.Count == 0 && Deleted.Count == 0;

    public bool Equals(FilesystemDiff? other) =>
        other is not null && Changed.SequenceEqual(other.Changed) && Deleted.SequenceEqual(other.Deleted);

    public override int GetHashCode() => HashCode.Combine(Changed.Count, Deleted.Count);

    private static string[] Sorted(IEnumerable<string> paths)
    {
        var array = paths.Select(ImagePaths.Normalize).Where(p => p != "/").Distinct(StringComparer.Ordinal).ToArray();
        Array.Sort(array, StringComparer.Ordinal);
        return array;
    }
}
