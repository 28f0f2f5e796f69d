using System.Text.RegularExpressions;
using Drydock.Dockerfile.Shell;

namespace Drydock.Dockerfile;

/// <summary>
/// Finds heredoc markers (<c>&lt;&lt;EOF</c>, <c>&lt;&lt;-"EOF"</c>, <c>2&lt;&lt;EOF</c>) in an
/// instruction line. The line is split shell-style first, so quoted text such as
/// <c>"&lt;&lt;EOF"</c> is not a marker.
/// </summary>
internal static partial class HeredocParser
{
    private static readonly ShellLexer LineLexer = new('\\') { RawQuotes = true, RawEscapes = true, SkipUnsetEnv = true };
    private static readonly ShellLexer NameLexer = new('\\') { SkipUnsetEnv = true };
    private static readonly ShellLexer RawNameLexer = new('\\') { SkipUnsetEnv = true, RawQuotes = true };

    public static List<Heredoc> FromLine(string line)
    {
        IReadOnlyList<string> words;
        try
        {
            words = LineLexer.ProcessWords(line, ShellEnvironment.Empty);
        }
        catch (DockerfileException)
        {
            // A line the lexer cannot split (say, an unbalanced quote) simply has no heredocs.
            return [];
        }
        var result = new List<Heredoc>();
        foreach (var word in words)
        {
            if (ParseWord(word) is { } heredoc)
            {
                result.Add(heredoc);
            }
        }
        return result;
    }

    /// <summary>The heredoc a single word introduces, or null if it is no heredoc marker.</summary>
    /// <exception cref="DockerfileException">The terminator word has an unbalanced quote.</exception>
    public static Heredoc? ParseWord(string word)
    {
        var match = MarkerPattern().Match(word);
        if (!match.Success || match.Groups[3].Length == 0)
        {
            return null;
        }
        var rest = match.Groups[3].Value;
        var names = NameLexer.ProcessWords(rest, ShellEnvironment.Empty);
        if (names.Count != 1)
        {
            return null;
        }
        var rawNames = RawNameLexer.ProcessWords(rest, ShellEnvironment.Empty);
        if (rawNames.Count != 1)
        {
            throw new DockerfileException($"internal lexing of heredoc produced inconsistent results: {rest}");
        }
        // Any quoting in the terminator (quotes that vanish when processed) turns expansion off.
        var expand = CountQuotes(names[0]) == CountQuotes(rawNames[0]);
        _ = int.TryParse(match.Groups[1].ValueSpan, out var fd);
        return new Heredoc(names[0], "", expand, Chomp: match.Groups[2].Length > 0, fd);
    }

    /// <summary>The word a heredoc word introduces, or null; never throws.</summary>
    public static Heredoc? TryParseWord(string word)
    {
        try
        {
            return ParseWord(word);
        }
        catch (DockerfileException)
        {
            return null;
        }
    }

    /// <summary>Removes leading tabs from every line (the <c>&lt;&lt;-</c> form).</summary>
    public static string Chomp(string content) => LeadingTabs().Replace(content, "");

    private static int CountQuotes(string text) => text.Count(c => c is '\'' or '"');

    [GeneratedRegex(@"\A([0-9]*)<<(-?)([^<]*)\z")]
    private static partial Regex MarkerPattern();

    [GeneratedRegex(@"^\t+", RegexOptions.Multiline)]
    private static partial Regex LeadingTabs();
}
