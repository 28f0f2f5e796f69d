using System.Text;
using Drydock.Context;
using Drydock.Dockerfile;

namespace Drydock.Building.Copy;

/// <summary>A local COPY/ADD source once its wildcards are expanded.</summary>
/// <param name="Source">The source as the instruction wrote it, for messages.</param>
/// <param name="Entry">A file, copied itself, or a directory, whose content is copied.</param>
/// <param name="Include">
/// With <c>--parents</c>: what to copy below <paramref name="Entry"/>, keeping the directories
/// that lead to it; null copies everything.
/// </param>
internal sealed record LocalSource(string Source, ContextEntry Entry, DockerIgnore? Include)
{
    public bool IsDirectory => Entry.Type == ContextEntryType.Directory;

    /// <summary>The name a file source gets in a destination directory.</summary>
    public string Name => Path.GetFileName(Entry.Path);
}

/// <summary>
/// What COPY and ADD do alike with local sources: expanding them (wildcards, <c>--parents</c>),
/// deciding whether files go into the destination or become it, and copying with
/// <c>--exclude</c> applied; and writing heredoc files.
/// </summary>
/// <remarks>
/// <c>--exclude</c> patterns match paths relative to a directory source, as in BuildKit. A file
/// source is matched by its name, so <c>COPY --exclude=*.txt hom* /dir/</c> leaves out home.txt
/// as Docker's reference documents (BuildKit itself copies it: moby/buildkit#5489). A directory
/// source is never excluded itself, only its content.
/// </remarks>
internal sealed class CopyFiles(Instruction instruction, IFileSource source, RootfsWriter writer, DockerIgnore? excludes)
{
    // BuildKit's marker of where --parents starts keeping directories: "x/./y/z" keeps "y/z".
    private const string ParentsPivot = "/./";

    private const UnixFileMode HeredocMode = (UnixFileMode)0b110_100_100;

    // Whether a file has become the destination itself (see TargetFor).
    private bool _fileAtDestination;

    /// <summary>Parses <c>--exclude</c> patterns (.dockerignore syntax); null when there are none.</summary>
    public static DockerIgnore? Excludes(IReadOnlyList<string> patterns) =>
        patterns.Count == 0 ? null : DockerIgnore.FromPatterns(patterns, "--exclude");

    /// <summary>
    /// Expands one source. With <paramref name="parents"/>, the source is split at its first
    /// "/./" (or taken whole from the root): the part before names the directories copied from,
    /// the part after is the pattern of what to copy below them with its parent directories.
    /// </summary>
    /// <param name="source">What the source is read from.</param>
    /// <param name="text">The source as written.</param>
    /// <param name="parents">Whether <c>--parents</c> is given.</param>
    /// <param name="allowEmptyWildcard">
    /// Whether a wildcard that matches nothing yields no source rather than an error: one source
    /// among several may match nothing (see <see cref="RequireAny"/>).
    /// </param>
    /// <exception cref="BuildContextException">The source names nothing, or --parents' pivot is a file.</exception>
    public static IReadOnlyList<LocalSource> Resolve(IFileSource source, string text, bool parents, bool allowEmptyWildcard = false)
    {
        if (!parents)
        {
            return [.. source.ResolveSources(text, allowEmptyWildcard).Select(entry => new LocalSource(text, entry, null))];
        }

        var pivot = text.IndexOf(ParentsPivot, StringComparison.Ordinal);
        var parent = pivot <= 0 ? "/" : text[..pivot];
        var pattern = GoPath.CleanInRoot(pivot < 0 ? text : text[(pivot + ParentsPivot.Length)..]);
        var include = pattern == "." ? null : DockerIgnore.FromPatterns([pattern], "--parents");
        var resolved = new List<LocalSource>();
        foreach (var entry in source.ResolveSources(parent, allowEmptyWildcard))
        {
            if (entry.Type != ContextEntryType.Directory)
            {
                throw new BuildContextException(
                    $"--parents source \"{text}\": \"{entry.Path}\" is a file, but what comes before \"/./\" must name a directory");
            }

            resolved.Add(new LocalSource(text, entry, include));
        }

        return resolved;
    }

    /// <summary>
    /// Expands every local source of one COPY or ADD. As BuildKit allows empty wildcards, a
    /// wildcard source that matches nothing is no error while another source copies something;
    /// a source without wildcards that names nothing still is.
    /// </summary>
    /// <param name="source">What the sources are read from.</param>
    /// <param name="texts">The local sources as written.</param>
    /// <param name="parents">Whether <c>--parents</c> is given.</param>
    /// <param name="hasOtherSources">Whether the instruction also has a heredoc, URL or git source.</param>
    /// <returns>The expansion of each source, in the order written.</returns>
    /// <exception cref="BuildContextException">A source names nothing, or no source matches anything.</exception>
    public static IReadOnlyList<IReadOnlyList<LocalSource>> ResolveAll(IFileSource source, IReadOnlyList<string> texts, bool parents, bool hasOtherSources)
    {
        var resolved = texts.Select(text => Resolve(source, text, parents, allowEmptyWildcard: true)).ToArray();
        if (!hasOtherSources)
        {
            RequireAny(source, texts, parents, resolved);
        }

        return resolved;
    }

    /// <summary>
    /// Fails when no source matched anything, with the error the first would give alone (the
    /// classic builder's "no source files were specified"), naming the others too.
    /// </summary>
    private static void RequireAny(IFileSource source, IReadOnlyList<string> texts, bool parents, IReadOnlyList<IReadOnlyList<LocalSource>> resolved)
    {
        if (texts.Count == 0 || resolved.Any(r => r.Count > 0))
        {
            return;
        }

        try
        {
            // Every source here is a wildcard that matched nothing: resolving the first strictly throws its own message.
            Resolve(source, texts[0], parents);
        }
        catch (BuildContextException e) when (texts.Count > 1)
        {
            var others = string.Join(", ", texts.Skip(1).Select(t => $"\"{t}\""));
            throw new BuildContextException($"{e.Message} (nor do the other sources: {others})", e);
        }

        throw new BuildContextException($"no source files were specified: \"{texts[0]}\" matches nothing");
    }

    /// <summary>
    /// Where a file (a file source, a heredoc, a download) goes: into the destination when it is
    /// written as a directory or is one by now, else it becomes the destination. A second file
    /// that would become it too is an error rather than BuildKit's silent overwrite
    /// (moby/buildkit#1853), as Docker's reference asks for a trailing '/' then. Directory sources
    /// do not count: their content always merges into the destination.
    /// </summary>
    public string TargetFor(CopyDestination destination, string name)
    {
        if (destination.WrittenAsDirectory || writer.IsDirectory(destination.Path))
        {
            return destination.Join(name);
        }

        if (_fileAtDestination)
        {
            throw new BuildException(
                instruction.Location,
                instruction.Keyword,
                $"when copying more than one source file, the destination must be a directory and end with a /: write \"{destination.Path}/\"");
        }

        _fileAtDestination = true;
        return destination.Path;
    }

    /// <summary>Copies a file source to (or into) the destination, or a directory source's content into it.</summary>
    public void Copy(LocalSource local, CopyDestination destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (local.IsDirectory)
        {
            CopyTree(local, destination, cancellationToken);
            return;
        }

        if (IsExcluded(local))
        {
            return;
        }

        writer.CopyFile(local.Entry.FullPath, TargetFor(destination, local.Name));
    }

    /// <summary>Whether <c>--exclude</c> leaves out a file source.</summary>
    public bool IsExcluded(LocalSource file) => IsExcluded(excludes, file);

    /// <summary>Whether <paramref name="excludes"/> (<c>--exclude</c>) leaves out a file source: it is matched by its name.</summary>
    public static bool IsExcluded(DockerIgnore? excludes, LocalSource file) => excludes?.IsExcluded(file.Name) == true;

    /// <summary>What is copied below a directory source: <c>--parents</c>' pattern and <c>--exclude</c>, on top of .dockerignore.</summary>
    public static CopyFilter FilterBelow(LocalSource directory, DockerIgnore? excludes) => new(directory.Include, excludes);

    /// <summary>Writes heredoc sources (<c>COPY &lt;&lt;EOF /dest</c>): 0644 unless --chmod, owned by --chown.</summary>
    public async Task WriteInlineAsync(IReadOnlyList<InlineFile> files, CopyDestination destination, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var file in files)
        {
            using var content = new MemoryStream(Encoding.UTF8.GetBytes(file.Data), writable: false);
            await writer.WriteFileAsync(TargetFor(destination, file.Path), content, HeredocMode, now, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Copies a directory's content (not the directory itself) into the destination, as BuildKit
    /// does: the destination is made like a parent directory (0755, no --chmod) and takes the
    /// source directory's times; everything below keeps its own metadata.
    /// </summary>
    private void CopyTree(LocalSource local, CopyDestination destination, CancellationToken cancellationToken)
    {
        var stamps = new List<(string Host, string Source)> { (writer.EnsureDirectory(destination.Path), local.Entry.FullPath) };
        var copied = 0;
        foreach (var entry in source.EnumerateDirectory(local.Entry, FilterBelow(local, excludes), cancellationToken))
        {
            copied++;
            var target = destination.Join(entry.Path);
            switch (entry.Type)
            {
                case ContextEntryType.Directory:
                    stamps.Add((writer.CopyDirectory(entry.FullPath, target), entry.FullPath));
                    break;
                case ContextEntryType.Symlink:
                    writer.CopySymlink(entry.FullPath, entry.LinkTarget!, target);
                    break;
                default:
                    writer.CopyFile(entry.FullPath, target);
                    break;
            }
        }

        // Deepest first: stamping a directory must come after everything written inside it.
        foreach (var (host, original) in Enumerable.Reverse(stamps))
        {
            RootfsWriter.StampDirectory(host, original);
        }

        if (local.Include is not null && copied == 0)
        {
            throw new BuildContextException(
                $"no source files were specified: --parents source \"{local.Source}\" matches nothing below \"{local.Entry.Path}\" " +
                "(or all of it is excluded); the pattern is relative to the context root, or to the part before \"/./\"");
        }
    }
}
