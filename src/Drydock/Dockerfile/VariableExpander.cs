using Drydock.Dockerfile.Shell;

namespace Drydock.Dockerfile;

/// <summary>
/// Expands instruction words with the variables in scope at that instruction (ARG and ENV),
/// the way BuildKit does: Dockerfile words with the file's escape character, heredoc bodies with
/// quotes left alone. Errors are placed at the instruction being expanded.
/// </summary>
public sealed class VariableExpander
{
    private readonly ShellLexer _words;
    private readonly ShellLexer _bodies = new('\\') { SkipProcessQuotes = true };

    public VariableExpander(char escapeChar, IReadOnlyDictionary<string, string> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        _words = new ShellLexer(escapeChar);
        Variables = variables;
    }

    public IReadOnlyDictionary<string, string> Variables { get; }

    /// <summary>One word, quotes and escapes processed, never split.</summary>
    public string Word(string word, SourceLocation location) =>
        Guard(location, () => _words.ProcessWord(word, Variables));

    /// <summary>One word split on unquoted whitespace after expansion (EXPOSE).</summary>
    public IReadOnlyList<string> Words(string word, SourceLocation location) =>
        Guard(location, () => _words.ProcessWords(word, Variables));

    /// <summary>A heredoc body: variables replaced, quotes kept (they belong to the file's text).</summary>
    public string HeredocBody(string text, SourceLocation location) =>
        Guard(location, () => _bodies.ProcessWord(text, Variables));

    internal string? OptionalWord(string? word, SourceLocation location) =>
        word is null ? null : Word(word, location);

    private static T Guard<T>(SourceLocation location, Func<T> expand)
    {
        try
        {
            return expand();
        }
        catch (DockerfileException e) when (!e.HasLocation)
        {
            throw e.At(location);
        }
    }
}
