using Drydock.Foundation.Paths;

namespace Drydock.Context;

/// <summary>
/// Turns one COPY/ADD source into context entries, with Docker's rules: the path is relative to
/// the context root and cleaned so ".." stops at the root; any component may be a filepath.Match
/// pattern, expanded against the directory listing (so wildcards never cross a '/'); a source
/// that is a symlink is followed, inside the root; what .dockerignore excludes does not exist.
/// A wildcard that matches nothing is an error, unless the caller allows it (BuildKit's
/// AllowEmptyWildcard, for one source among several of a COPY).
/// </summary>
internal static class SourceResolver
{
    // Dot files are hidden on Unix as .NET sees them, and wildcards must still match them.
    private static readonly EnumerationOptions ListingOptions = new() { AttributesToSkip = 0 };

    public static IReadOnlyList<ContextEntry> Resolve(string root, DockerIgnore ignore, string source, bool allowEmptyWildcard = false)
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            throw new BuildContextException("COPY source is empty: name a file or directory in the build context");
        }

        var cleaned = GoPath.CleanInRoot(source);
        var hasWildcards = GoPath.HasMeta(cleaned);
        var found = new List<ContextEntry>();
        var excluded = new List<(string Path, IgnorePattern Pattern)>();
        foreach (var candidate in Expand(root, cleaned, source))
        {
            var fullPath = RootedPath.Resolve(root, candidate);
            var type = ResolvedType(fullPath);
            if (type is null)
            {
                continue;
            }

            var decider = Exclusion(root, ignore, candidate, fullPath, type.Value);
            if (decider is not null)
            {
                excluded.Add((candidate, decider));
                continue;
            }

            found.Add(new ContextEntry(candidate, fullPath, type.Value));
        }

        if (found.Count > 0 || (hasWildcards && allowEmptyWildcard))
        {
            return found;
        }

        throw new BuildContextException(NotFoundMessage(root, ignore, source, cleaned, hasWildcards, excluded));
    }

    // Expands wildcard components one level at a time, like Go's filepath.Glob: a component
    // without wildcards is taken as written; one with wildcards is matched against the names in
    // each directory reached so far, in byte order.
    private static List<string> Expand(string root, string cleaned, string source)
    {
        var paths = new List<string> { "." };
        if (cleaned == ".")
        {
            return paths;
        }

        foreach (var component in cleaned.Split('/'))
        {
            var next = new List<string>();
            if (!GoPath.HasMeta(component))
            {
                next.AddRange(paths.Select(p => GoPath.Join(p, component)));
            }
            else
            {
                if (!GlobPattern.TryParse(component, doubleStar: false, out var glob, out var error))
                {
                    throw new BuildContextException(
                        $"COPY source \"{source}\" has a bad wildcard in \"{component}\": {error} (escape a literal '[', '*', '?' or '\\' with '\\')");
                }

                foreach (var directory in paths)
                {
                    var fullPath = RootedPath.Resolve(root, directory);
                    if (!Directory.Exists(fullPath))
                    {
                        continue;
                    }

                    var names = Directory.EnumerateFileSystemEntries(fullPath, "*", ListingOptions)
                        .Select(Path.GetFileName)
                        .OfType<string>()
                        .Where(glob!.IsMatch)
                        .Order(Utf8NameComparer.Instance);
                    next.AddRange(names.Select(name => GoPath.Join(directory, name)));
                }
            }

            paths = next;
        }

        return paths;
    }

    // The type of what the source ends up naming once links are followed; null when nothing is there.
    private static ContextEntryType? ResolvedType(string fullPath)
    {
        if (Directory.Exists(fullPath))
        {
            return ContextEntryType.Directory;
        }

        // RootedPath followed every link, so anything still a link here is one it could not
        // follow further; treat it as missing.
        var info = new FileInfo(fullPath);
        return info.Exists && info.LinkTarget is null ? ContextEntryType.File : null;
    }

    // The pattern that keeps this source out of the context, or null when it is in. The name the
    // source was reached by must be in the context, and so must the real entry it resolves to.
    // An excluded directory still counts when an exception re-includes something inside it.
    private static IgnorePattern? Exclusion(string root, DockerIgnore ignore, string candidate, string fullPath, ContextEntryType type)
    {
        var realPath = ContextRoot.RelativePath(root, fullPath);
        if (realPath != candidate && ignore.DecidingPattern(candidate) is { IsException: false } viaName)
        {
            return viaName;
        }

        var decider = ignore.DecidingPattern(realPath);
        if (decider is not { IsException: false })
        {
            return null;
        }

        if (type == ContextEntryType.Directory && ignore.MayIncludeBelow(realPath)
            && ContextWalker.Walk(root, ignore, fullPath, CopyFilter.None, CancellationToken.None).Any())
        {
            return null;
        }

        return decider;
    }

    private static string NotFoundMessage(
        string root, DockerIgnore ignore, string source, string cleaned, bool hasWildcards, List<(string Path, IgnorePattern Pattern)> excluded)
    {
        var ignoreFile = ignore.Source;
        if (excluded.Count > 0)
        {
            var (path, pattern) = excluded[0];
            var where = pattern.Line > 0 ? $"{ignoreFile}:{pattern.Line}" : ignoreFile;
            var fix = $"remove that line, or add \"!{path}\" after it to re-include the path";
            return hasWildcards
                ? $"no source files were specified: every match of \"{source}\" is excluded by .dockerignore " +
                  $"(e.g. \"{path}\" by {where}: \"{pattern}\"); {fix}"
                : $"file not found in build context or excluded by .dockerignore: \"{source}\" is excluded by {where}: \"{pattern}\"; {fix}";
        }

        if (hasWildcards)
        {
            return $"no source files were specified: \"{source}\" matches nothing in the build context {root}; " +
                   "source paths are relative to the context root, wildcards follow Go's filepath.Match and never cross '/'";
        }

        var hint = DanglingLinkHint(root, cleaned)
            ?? "source paths are relative to the context root and \"..\" cannot leave it; " +
               "move the file into the context or pass a different --context";
        return $"file not found in build context or excluded by .dockerignore: stat {cleaned}: file does not exist " +
               $"(build context {root}); {hint}";
    }

    private static string? DanglingLinkHint(string root, string cleaned)
    {
        var unresolved = RootedPath.Resolve(root, cleaned, followLast: false);
        var target = new FileInfo(unresolved).LinkTarget;
        return target is null
            ? null
            : $"\"{cleaned}\" is a symbolic link to \"{target}\", which does not exist inside the build context " +
              "(links are resolved with the context as '/', so they cannot reach files outside it)";
    }
}
