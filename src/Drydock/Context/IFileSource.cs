namespace Drydock.Context;

/// <summary>Where COPY takes files from: the build context, or the root filesystem of another stage or image.</summary>
public interface IFileSource
{
    /// <summary>
    /// Resolves one COPY/ADD source: a path relative to the source's root (a leading '/' also means
    /// the root, and ".." stops at it) whose components may hold filepath.Match wildcards. Returns
    /// the matching entries in a stable order, leaving out what the ignore rules exclude. A source
    /// that is a symlink is followed, within the root. Throws <see cref="BuildContextException"/>
    /// when nothing matches, unless the source has wildcards and <paramref name="allowEmptyWildcard"/>
    /// is set (BuildKit's AllowEmptyWildcard): then the list is empty.
    /// </summary>
    IReadOnlyList<ContextEntry> ResolveSources(string source, bool allowEmptyWildcard = false);

    /// <summary>
    /// Everything below a directory source, depth first, parents before children, names in byte
    /// order, ignore rules applied, symlinks reported as links and not followed. Entry paths are
    /// relative to <paramref name="directory"/>.
    /// </summary>
    IEnumerable<ContextEntry> EnumerateDirectory(ContextEntry directory, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="EnumerateDirectory(ContextEntry, CancellationToken)"/>, keeping only what
    /// <paramref name="filter"/> keeps (its patterns see paths relative to <paramref name="directory"/>).
    /// A directory left out but holding something kept is still listed, before what it holds.
    /// </summary>
    IEnumerable<ContextEntry> EnumerateDirectory(ContextEntry directory, CopyFilter filter, CancellationToken cancellationToken = default);
}
