namespace Drydock.Context;

/// <summary>
/// The build context as the builder sees it: a directory on disk with the .dockerignore rules
/// applied, and the Dockerfile that came with it. Every context source (local directory, and
/// later tar, git or http) ends up as a directory and shares this behaviour.
/// </summary>
public interface IBuildContext : IFileSource, IAsyncDisposable
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
}
