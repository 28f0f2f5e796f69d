namespace Drydock.Context;

/// <summary>
/// One effective line of a .dockerignore file, after Docker's preprocessing (trimmed, cleaned,
/// leading '/' dropped, '!' split off).
/// </summary>
public sealed class IgnorePattern
{
    private readonly GlobPattern? _glob;

    // Docker's patternmatcher has a shortcut for a pattern that starts with "**" and is plain
    // text after it: it matches any path that merely ends with that text. So "**.log" matches
    // "a/x.log", which a strict glob reading ("(.*/)?\.log") would not. Real .dockerignore files
    // rely on it, so we keep it.
    private readonly string? _suffix;

    private IgnorePattern(string text, bool isException, int line, GlobPattern? glob, string? suffix)
    {
        Text = text;
        IsException = isException;
        Line = line;
        _glob = glob;
        _suffix = suffix;
    }

    /// <summary>The cleaned pattern, without its '!'.</summary>
    public string Text { get; }

    /// <summary>True for a '!' line, which re-includes what it matches.</summary>
    public bool IsException { get; }

    /// <summary>1-based line in the ignore file (0 when the pattern did not come from a file).</summary>
    public int Line { get; }

    /// <summary>The pattern as it would be written back into a .dockerignore file.</summary>
    public override string ToString() => IsException ? "!" + Text : Text;

    /// <summary>Whether the pattern matches <paramref name="path"/> itself (no parent-directory rule).</summary>
    public bool Matches(string path)
    {
        if (_suffix is not null)
        {
            return path.EndsWith(_suffix, StringComparison.Ordinal)
                || (_suffix.StartsWith('/') && path.AsSpan().SequenceEqual(_suffix.AsSpan(1)));
        }

        return _glob!.IsMatch(path);
    }

    /// <summary>Whether the pattern could match some path strictly below <paramref name="directory"/>.</summary>
    internal bool CanMatchBelow(string directory)
    {
        if (_suffix is not null)
        {
            return true;
        }

        return _glob!.CanMatchWithPrefix(directory + "/");
    }

    /// <summary>
    /// Builds a pattern the way Docker's patternmatcher does from one already-preprocessed entry:
    /// trim, filepath.Clean, split off '!', then check the syntax.
    /// </summary>
    internal static IgnorePattern Create(string entry, int line, string source)
    {
        var text = GoPath.Clean(entry.Trim());
        var isException = text[0] == '!';
        if (isException)
        {
            if (text.Length == 1)
            {
                throw new BuildContextException(
                    $"{Where(source, line)}: illegal exclusion pattern \"!\": write the path to re-include after the '!', e.g. \"!README.md\"");
            }

            text = text[1..];
        }

        if (!GlobPattern.TryParse(text, doubleStar: true, out var glob, out var error))
        {
            throw new BuildContextException($"{Where(source, line)}: bad pattern \"{entry}\": {error}");
        }

        string? suffix = null;
        if (text.StartsWith("**", StringComparison.Ordinal) && text.AsSpan(2).IndexOfAny("*?[]\\") < 0)
        {
            suffix = text[2..];
        }

        return new IgnorePattern(text, isException, line, glob, suffix);
    }

    private static string Where(string source, int line) => line > 0 ? $"{source}:{line}" : source;
}
