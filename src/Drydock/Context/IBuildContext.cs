namespace Drydock.Context;

/// <summary>
/// The build context as the builder sees it: a directory on disk with the .dockerignore rules
/// applied, and the Dockerfile that came with it. Every context source (local directory, and
/// later tar, git or http) ends up as a directory and shares this behaviour.
/// </summary>
public interface IBuildContext : IAsyncDisposable
{
    /// <summary>The context's root directory (absolute).</summary>
    string Root { get; }

    /// <summary>The Dockerfile (absolute). It is readable even when .dockerignore excludes it.</summary>
    string DockerfilePath { get; }

    /// <summary>The ignore rules in force: <c>&lt;Dockerfile&gt;.dockerignore</c> if present, else the context's <c>.dockerignore</c>.</summary>
    DockerIgnore Ignore { get; }

    /// <summary>The file the rules came from, or null when there is none.</summary>
    string? IgnoreFilePath { get; }

    /// <summary>Reads the Dockerfile's text.</summary>
    Task<string> ReadDockerfileAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Resolves one COPY/ADD source: a path relative to the context root (a leading '/' also means
    /// the root, and ".." stops at it) whose components may hold filepath.Match wildcards. Returns
    /// the matching entries in a stable order, leaving out what .dockerignore excludes. A source
    /// that is a symlink is followed, within the context root. Throws
    /// <see cref="BuildContextException"/> when nothing matches.
    /// </summary>
    IReadOnlyList<ContextEntry> ResolveSources(string source);

    /// <summary>
    /// Everything below a directory source, depth first, parents before children, names in byte
    /// order, .dockerignore applied, symlinks reported as links and not followed. Entry paths are
    /// relative to <paramref name="directory"/>.
    /// </summary>
    IEnumerable<ContextEntry> EnumerateDirectory(ContextEntry directory, CancellationToken cancellationToken = default);
}
