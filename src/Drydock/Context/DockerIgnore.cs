using System.Text;

namespace Drydock.Context;

/// <summary>
/// The rules of a .dockerignore file, applied exactly as Docker applies them.
/// <list type="bullet">
/// <item>A line starting with '#' in column 1 is a comment; lines are trimmed; blank lines are skipped.</item>
/// <item>Each pattern is cleaned as Go's filepath.Clean does and a leading '/' is dropped, so
/// "/foo", "./foo" and "foo/" all mean "foo".</item>
/// <item>Globs are Go's filepath.Match plus '**' (see <see cref="GlobPattern"/>).</item>
/// <item>A pattern that matches a directory also matches everything below it.</item>
/// <item>'!' makes an exception; the last pattern that matches a path decides.</item>
/// </list>
/// The per-path rule is Docker's <c>MatchesOrParentMatches</c>: a pattern "matches" a path when it
/// matches the path or any of its parent directories. (BuildKit's walker memoizes parent results
/// in a way that differs from this only for an exception listed before the exclusion it is meant
/// to override; we keep the documented, order-independent rule.)
/// </summary>
public sealed class DockerIgnore
{
    private readonly IgnorePattern[] _patterns;

    private DockerIgnore(IgnorePattern[] patterns, string source)
    {
        _patterns = patterns;
        Source = source;
        HasExceptions = patterns.Any(p => p.IsException);
    }

    /// <summary>No rules: nothing is excluded.</summary>
    public static DockerIgnore Empty { get; } = new([], "(none)");

    /// <summary>Where the rules came from, for messages (a file path, or a caller-given name).</summary>
    public string Source { get; }

    public IReadOnlyList<IgnorePattern> Patterns => _patterns;

    /// <summary>Whether any rule is a '!' exception (only then can an excluded directory hold included paths).</summary>
    public bool HasExceptions { get; }

    /// <summary>Parses the text of a .dockerignore file; a bad line throws <see cref="BuildContextException"/> naming it.</summary>
    public static DockerIgnore Parse(string text, string source = ".dockerignore")
    {
        var patterns = new List<IgnorePattern>();
        var lineNumber = 0;
        foreach (var rawLine in SplitLines(text))
        {
            lineNumber++;
            var line = rawLine;
            if (lineNumber == 1 && line.StartsWith('\uFEFF'))
            {
                line = line[1..];
            }

            // Docker tests for the comment before trimming: "  # x" is a pattern, not a comment.
            if (line.StartsWith('#'))
            {
                continue;
            }

            var entry = line.Trim();
            if (entry.Length == 0)
            {
                continue;
            }

            patterns.Add(IgnorePattern.Create(Preprocess(entry), lineNumber, source));
        }

        return new DockerIgnore([.. patterns], source);
    }

    /// <summary>Rules from a list of patterns, each as one .dockerignore line would be written.</summary>
    public static DockerIgnore FromPatterns(IEnumerable<string> patterns, string source = "patterns")
    {
        var compiled = new List<IgnorePattern>();
        foreach (var pattern in patterns)
        {
            var entry = pattern.Trim();
            if (entry.Length > 0 && !entry.StartsWith('#'))
            {
                compiled.Add(IgnorePattern.Create(Preprocess(entry), 0, source));
            }
        }

        return new DockerIgnore([.. compiled], source);
    }

    /// <summary>Reads and parses an ignore file.</summary>
    public static async Task<DockerIgnore> LoadAsync(string path, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BuildContextException($"cannot read ignore file {path}: {e.Message}", e);
        }

        return Parse(text, path);
    }

    /// <summary>
    /// Whether <paramref name="path"/> (relative to the context root, '/'-separated) is excluded
    /// from the context. The root itself never is.
    /// </summary>
    public bool IsExcluded(string path) => DecidingPattern(path) is { IsException: false };

    /// <summary>
    /// The pattern that decides <paramref name="path"/>'s fate — the last one that matches it or a
    /// parent directory — or null when none does. Lets messages say which line excluded a path.
    /// </summary>
    public IgnorePattern? DecidingPattern(string path)
    {
        path = GoPath.CleanInRoot(path);
        return path == "." || _patterns.Length == 0 ? null : StateOf(path).Decider;
    }

    /// <summary>
    /// Whether some path below <paramref name="directory"/> could be re-included by an exception,
    /// so a walk must look inside the directory even though it is excluded.
    /// </summary>
    public bool MayIncludeBelow(string directory)
    {
        directory = GoPath.CleanInRoot(directory);
        if (directory == ".")
        {
            return true;
        }

        foreach (var pattern in _patterns)
        {
            if (pattern.IsException && pattern.CanMatchBelow(directory))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether some path strictly below <paramref name="directory"/> could match a pattern that is
    /// not an exception: for rules used to pick paths rather than to leave them out.
    /// </summary>
    internal bool MayMatchBelow(string directory)
    {
        directory = GoPath.CleanInRoot(directory);
        return directory == "." || _patterns.Any(p => !p.IsException && p.CanMatchBelow(directory));
    }

    /// <summary>
    /// Evaluates one path given its parent's state, so a walk pays for each path once instead of
    /// re-matching every ancestor. The result is the same as <see cref="DecidingPattern"/>.
    /// </summary>
    internal IgnoreState Evaluate(string path, IgnoreState parent)
    {
        if (_patterns.Length == 0)
        {
            return parent;
        }

        var matched = new bool[_patterns.Length];
        IgnorePattern? decider = null;
        for (var i = 0; i < _patterns.Length; i++)
        {
            // A pattern that matched a parent directory matches everything below it.
            matched[i] = parent.Matched[i] || _patterns[i].Matches(path);
            if (matched[i])
            {
                decider = _patterns[i];
            }
        }

        return new IgnoreState(matched, decider);
    }

    /// <summary>The state of a cleaned, context-relative path, built up from its top-level ancestor down.</summary>
    internal IgnoreState StateOf(string path)
    {
        var state = IgnoreState.Root(_patterns.Length);
        if (path == "." || _patterns.Length == 0)
        {
            return state;
        }

        var start = 0;
        while (true)
        {
            var slash = path.IndexOf('/', start);
            state = Evaluate(slash < 0 ? path : path[..slash], state);
            if (slash < 0)
            {
                return state;
            }

            start = slash + 1;
        }
    }

    // Docker's ignorefile.ReadAll: '!' and the text after it are trimmed apart, the pattern is
    // cleaned, and a leading '/' is dropped (but a lone "/" stays, and matches nothing).
    private static string Preprocess(string entry)
    {
        var invert = entry[0] == '!';
        var pattern = invert ? entry[1..].Trim() : entry;
        if (pattern.Length > 0)
        {
            pattern = GoPath.Clean(pattern);
            if (pattern.Length > 1 && pattern[0] == '/')
            {
                pattern = pattern[1..];
            }
        }

        return invert ? "!" + pattern : pattern;
    }

    // Go's bufio.ScanLines: split on '\n' and drop one trailing '\r'; no empty last line.
    private static IEnumerable<string> SplitLines(string text)
    {
        var start = 0;
        while (start < text.Length)
        {
            var newline = text.IndexOf('\n', start);
            var end = newline < 0 ? text.Length : newline;
            var line = text[start..end];
            yield return line.EndsWith('\r') ? line[..^1] : line;
            start = end + 1;
        }
    }
}

/// <summary>
/// What a walk carries from a directory to its children: which patterns matched the directory
/// or one of its parents, and which pattern decided.
/// </summary>
internal sealed class IgnoreState(bool[] matched, IgnorePattern? decider)
{
    public bool[] Matched { get; } = matched;

    public IgnorePattern? Decider { get; } = decider;

    public bool IsExcluded => Decider is { IsException: false };

    public static IgnoreState Root(int patternCount) => new(new bool[patternCount], null);
}
