namespace Drydock.Context;

/// <summary>Host-path arithmetic relative to a context root (which may itself be "/").</summary>
internal static class ContextRoot
{
    /// <summary>Whether <paramref name="fullPath"/> (absolute, normalized) is the root or lies below it.</summary>
    public static bool Contains(string root, string fullPath) =>
        fullPath == root || fullPath.StartsWith(WithSlash(root), StringComparison.Ordinal);

    /// <summary>The '/'-separated path of <paramref name="fullPath"/> relative to the root, "." for the root.</summary>
    public static string RelativePath(string root, string fullPath) =>
        Path.GetRelativePath(root, fullPath).Replace(Path.DirectorySeparatorChar, '/');

    private static string WithSlash(string root) => root.EndsWith('/') ? root : root + "/";
}
