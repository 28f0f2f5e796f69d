namespace Drydock.Context;

/// <summary>A directory that COPY reads from, with ignore rules (none for another stage's root filesystem).</summary>
public sealed class FileSource(string root, DockerIgnore ignore) : IFileSource
{
    /// <summary>A stage's or image's root filesystem: everything is copyable.</summary>
    public static FileSource ForRootfs(string rootfs) => new(Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootfs)), DockerIgnore.Empty);

    public string Root { get; } = root;

    public IReadOnlyList<ContextEntry> ResolveSources(string source, bool allowEmptyWildcard = false) =>
        SourceResolver.Resolve(Root, ignore, source, allowEmptyWildcard);

    public IEnumerable<ContextEntry> EnumerateDirectory(ContextEntry directory, CancellationToken cancellationToken = default) =>
        EnumerateDirectory(directory, CopyFilter.None, cancellationToken);

    public IEnumerable<ContextEntry> EnumerateDirectory(ContextEntry directory, CopyFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(directory);
        if (directory.Type != ContextEntryType.Directory)
        {
            throw new ArgumentException($"\"{directory.Path}\" is a {directory.Type}, not a directory.", nameof(directory));
        }

        var fullPath = Path.GetFullPath(directory.FullPath);
        if (!ContextRoot.Contains(Root, fullPath))
        {
            throw new ArgumentException($"\"{directory.FullPath}\" is not inside {Root}.", nameof(directory));
        }

        return ContextWalker.Walk(Root, ignore, fullPath, filter, cancellationToken);
    }
}
