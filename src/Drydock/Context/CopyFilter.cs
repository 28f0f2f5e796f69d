namespace Drydock.Context;

/// <summary>
/// What a COPY/ADD keeps below one directory source, on top of .dockerignore: paths are matched
/// relative to that directory, with .dockerignore syntax (globs, <c>**</c>, <c>!</c> exceptions,
/// a match on a directory covering all beneath it).
/// </summary>
/// <param name="Include">When set, only what it matches (and the directories leading there) is kept: <c>--parents</c>' pattern.</param>
/// <param name="Exclude">What is left out: the <c>--exclude</c> patterns.</param>
public sealed record CopyFilter(DockerIgnore? Include = null, DockerIgnore? Exclude = null)
{
    /// <summary>Keeps everything .dockerignore keeps.</summary>
    public static CopyFilter None { get; } = new();
}
