namespace Drydock.Context;

/// <summary>
/// Walks a directory of the context the way a COPY sees it: depth first, names in byte order,
/// ignore rules applied, symlinks reported and not followed. Streams: it holds one sorted listing
/// per level of depth, never the whole tree.
/// </summary>
internal static class ContextWalker
{
    private static readonly EnumerationOptions ListingOptions = new()
    {
        // On Unix, .NET marks dot files Hidden and would skip them by default.
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    /// <summary>
    /// Walks below <paramref name="directoryFullPath"/> (a real directory inside
    /// <paramref name="root"/>). Ignore rules see each entry's real context path; the
    /// <paramref name="filter"/> and the entries see paths relative to the walked directory.
    /// </summary>
    public static IEnumerable<ContextEntry> Walk(
        string root, DockerIgnore ignore, string directoryFullPath, CopyFilter filter, CancellationToken cancellationToken)
    {
        var exclude = filter.Exclude ?? DockerIgnore.Empty;
        var include = filter.Include;
        var realPath = ContextRoot.RelativePath(root, directoryFullPath);
        var includeRoot = include is null ? null : IgnoreState.Root(include.Patterns.Count);
        var stack = new List<Frame>
        {
            new(directoryFullPath, realPath, "", ignore.StateOf(realPath), IgnoreState.Root(exclude.Patterns.Count), includeRoot, entry: null, hidden: false),
        };

        while (stack.Count > 0)
        {
            var frame = stack[^1];
            frame.Children ??= List(frame);
            if (frame.Next == frame.Children.Length)
            {
                stack.RemoveAt(stack.Count - 1);
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var child = frame.Children[frame.Next++];
            var childReal = GoPath.Join(frame.RealPath, child.Name);
            var childPath = frame.Path.Length == 0 ? child.Name : frame.Path + "/" + child.Name;
            var entry = ToEntry(childPath, child);
            var ignoreState = ignore.Evaluate(childReal, frame.IgnoreState);
            var excludeState = exclude.Evaluate(childPath, frame.ExcludeState);
            var includeState = frame.IncludeState is null ? null : include!.Evaluate(childPath, frame.IncludeState);
            var ignored = ignoreState.IsExcluded;
            var excluded = excludeState.IsExcluded;
            var notIncluded = includeState is { IsExcluded: false };

            if (ignored || excluded || notIncluded)
            {
                // A hidden directory is still entered when something inside it might be kept
                // (an exception, or the include pattern, reaching below); it is emitted only if
                // something is.
                if (entry.Type == ContextEntryType.Directory
                    && (!ignored || ignore.MayIncludeBelow(childReal))
                    && (!excluded || exclude.MayIncludeBelow(childPath))
                    && (!notIncluded || include!.MayMatchBelow(childPath)))
                {
                    stack.Add(new Frame(entry.FullPath, childReal, childPath, ignoreState, excludeState, includeState, entry, hidden: true));
                }

                continue;
            }

            // Kept entries need their hidden parent directories to exist in the copy.
            foreach (var ancestor in stack)
            {
                if (ancestor.Hidden && !ancestor.Emitted)
                {
                    ancestor.Emitted = true;
                    yield return ancestor.Entry!;
                }
            }

            yield return entry;
            if (entry.Type == ContextEntryType.Directory)
            {
                stack.Add(new Frame(entry.FullPath, childReal, childPath, ignoreState, excludeState, includeState, entry, hidden: false));
            }
        }
    }

    private static ContextEntry ToEntry(string path, FileSystemInfo info)
    {
        var type = Classify(info);
        return new ContextEntry(path, info.FullName, type, type == ContextEntryType.Symlink ? info.LinkTarget : null);
    }

    private static ContextEntryType Classify(FileSystemInfo info)
    {
        var attributes = info.Attributes;
        if (attributes.HasFlag(FileAttributes.ReparsePoint))
        {
            return ContextEntryType.Symlink;
        }

        return attributes.HasFlag(FileAttributes.Directory) ? ContextEntryType.Directory : ContextEntryType.File;
    }

    private static FileSystemInfo[] List(Frame frame)
    {
        try
        {
            var children = new DirectoryInfo(frame.FullPath).EnumerateFileSystemInfos("*", ListingOptions).ToArray();
            Array.Sort(children, (a, b) => Utf8NameComparer.Instance.Compare(a.Name, b.Name));
            return children;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            // Docker, too, shrugs off an unreadable directory that is excluded anyway.
            if (frame.Hidden)
            {
                return [];
            }

            throw new BuildContextException(
                $"cannot read {frame.RealPath} in the build context: {e.Message}; make it readable or exclude it in .dockerignore", e);
        }
    }

    private sealed class Frame(
        string fullPath, string realPath, string path, IgnoreState ignoreState, IgnoreState excludeState, IgnoreState? includeState, ContextEntry? entry, bool hidden)
    {
        public string FullPath { get; } = fullPath;

        // The directory's real path relative to the context root, which ignore rules match.
        public string RealPath { get; } = realPath;

        // The directory's path relative to the walked directory, which entries report.
        public string Path { get; } = path;

        public IgnoreState IgnoreState { get; } = ignoreState;

        // The --exclude and --parents patterns' states, for the path relative to the walked directory.
        public IgnoreState ExcludeState { get; } = excludeState;

        public IgnoreState? IncludeState { get; } = includeState;

        public ContextEntry? Entry { get; } = entry;

        // Left out itself (ignored, excluded or not included), but entered for what it may hold.
        public bool Hidden { get; } = hidden;

        public bool Emitted { get; set; }

        public FileSystemInfo[]? Children { get; set; }

        public int Next { get; set; }
    }
}
