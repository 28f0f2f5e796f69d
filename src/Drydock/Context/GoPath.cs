namespace Drydock.Context;

/// <summary>
/// Slash-separated path helpers with Go's <c>path/filepath</c> semantics on Unix. Docker cleans
/// .dockerignore patterns and COPY sources with these exact rules, so ours must agree character
/// for character or a pattern would match differently than under Docker.
/// </summary>
internal static class GoPath
{
    /// <summary>
    /// Go's <c>filepath.Clean</c>: collapses repeated slashes, drops "." elements, removes each ".."
    /// with the element before it (a rooted path stays at "/"; a relative one keeps leading ".."),
    /// drops a trailing slash, and turns the empty result into ".".
    /// </summary>
    public static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        var rooted = path[0] == '/';
        var parts = new List<string>();
        var leadingDotDots = 0;
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                else if (!rooted)
                {
                    leadingDotDots++;
                }

                continue;
            }

            parts.Add(part);
        }

        var body = string.Join('/', Enumerable.Repeat("..", leadingDotDots).Concat(parts));
        if (rooted)
        {
            return "/" + body;
        }

        return body.Length == 0 ? "." : body;
    }

    /// <summary>
    /// Cleans <paramref name="path"/> as if the context root were "/": ".." never climbs above the
    /// root. Returns the path relative to the root, or "." for the root itself.
    /// </summary>
    public static string CleanInRoot(string path)
    {
        var cleaned = Clean("/" + path);
        return cleaned == "/" ? "." : cleaned[1..];
    }

    /// <summary>Go's <c>hasMeta</c> on Unix: whether <c>filepath.Match</c> would treat the text as a pattern.</summary>
    public static bool HasMeta(string text) => text.AsSpan().IndexOfAny("*?[\\") >= 0;

    /// <summary>The parent of a cleaned relative path, or null for a top-level name.</summary>
    public static string? Parent(string relativePath)
    {
        var slash = relativePath.LastIndexOf('/');
        return slash < 0 ? null : relativePath[..slash];
    }

    /// <summary>Joins a context-relative directory ("." for the root) and a child name.</summary>
    public static string Join(string directory, string name) => directory == "." ? name : directory + "/" + name;
}
