using Drydock.Foundation.Paths;

namespace Drydock.Context;

/// <summary>
/// A build context that is a directory on disk — a local --context, or where a tar, git or http
/// context was unpacked (<see cref="BuildContextOpener"/>). Nothing is copied or scanned up front: sources are resolved and
/// directories walked on demand, so opening a large context costs nothing.
/// </summary>
public sealed class DirectoryContext : IBuildContext
{
    /// <summary>The context-wide ignore file.</summary>
    public const string IgnoreFileName = ".dockerignore";

    private readonly FileSource _files;
    private readonly string? _ownedDirectory;

    private DirectoryContext(string root, string dockerfilePath, DockerIgnore ignore, string? ignoreFilePath, string? ownedDirectory)
    {
        _ownedDirectory = ownedDirectory;
        Root = root;
        DockerfilePath = dockerfilePath;
        Ignore = ignore;
        IgnoreFilePath = ignoreFilePath;
        _files = new FileSource(root, ignore);
    }


    public string Root { get; }

    public string DockerfilePath { get; }

    public DockerIgnore Ignore { get; }

    public string? IgnoreFilePath { get; }

    /// <summary>
    /// Opens <paramref name="directory"/> as the context and finds its Dockerfile and ignore rules.
    /// </summary>
    /// <param name="directory">The context directory (relative paths are taken from <paramref name="workingDirectory"/>).</param>
    /// <param name="dockerfile">The --dockerfile value: null for "Dockerfile" in the context, else a path
    /// relative to the context (then to the working directory) or absolute.</param>
    /// <param name="workingDirectory">Base for relative paths; the process's current directory when null.</param>
    /// <param name="cancellationToken">Cancels reading the ignore file.</param>
    public static Task<DirectoryContext> OpenAsync(
        string directory,
        string? dockerfile = null,
        string? workingDirectory = null,
        CancellationToken cancellationToken = default) =>
        OpenAsync(directory, dockerfile, workingDirectory, ownedDirectory: null, cancellationToken);

    /// <summary>Opens a context unpacked into <paramref name="ownedDirectory"/> (<paramref name="directory"/> or above it), which is deleted with the context.</summary>
    internal static async Task<DirectoryContext> OpenAsync(
        string directory, string? dockerfile, string? workingDirectory, string? ownedDirectory, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new BuildContextException("no build context given: pass --context with a directory");
        }

        workingDirectory ??= Environment.CurrentDirectory;
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory, workingDirectory));
        if (File.Exists(root))
        {
            throw new BuildContextException(
                $"build context {root} is a file, not a directory: pass --context with a directory");
        }

        if (!Directory.Exists(root))
        {
            throw new BuildContextException(
                $"build context directory not found: {root}: pass --context with an existing directory");
        }

        var dockerfilePath = DockerfileLocator.Locate(root, dockerfile, workingDirectory);

        // BuildKit's rule: "<Dockerfile>.dockerignore" beside the Dockerfile wins over the context's.
        string? ignoreFile = null;
        var besideDockerfile = DockerfileLocator.ResolveNear(root, dockerfilePath + IgnoreFileName);
        if (File.Exists(besideDockerfile))
        {
            ignoreFile = besideDockerfile;
        }
        else
        {
            var inContext = RootedPath.Resolve(root, IgnoreFileName);
            if (File.Exists(inContext))
            {
                ignoreFile = inContext;
            }
        }

        var ignore = ignoreFile is null
            ? DockerIgnore.Empty
            : await DockerIgnore.LoadAsync(ignoreFile, cancellationToken).ConfigureAwait(false);
        return new DirectoryContext(root, dockerfilePath, ignore, ignoreFile, ownedDirectory);
    }

    public async Task<string> ReadDockerfileAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(DockerfilePath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BuildContextException($"cannot read Dockerfile {DockerfilePath}: {e.Message}", e);
        }
    }

    public IReadOnlyList<ContextEntry> ResolveSources(string source, bool allowEmptyWildcard = false) =>
        _files.ResolveSources(source, allowEmptyWildcard);

    public IEnumerable<ContextEntry> EnumerateDirectory(ContextEntry directory, CancellationToken cancellationToken = default) =>
        _files.EnumerateDirectory(directory, cancellationToken);

    public IEnumerable<ContextEntry> EnumerateDirectory(ContextEntry directory, CopyFilter filter, CancellationToken cancellationToken = default) =>
        _files.EnumerateDirectory(directory, filter, cancellationToken);

    // A local directory is the user's; an unpacked context is ours to delete.
    public ValueTask DisposeAsync()
    {
        if (_ownedDirectory is not null && Directory.Exists(_ownedDirectory))
        {
            Directory.Delete(_ownedDirectory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
