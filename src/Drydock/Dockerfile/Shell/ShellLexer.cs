namespace Drydock.Dockerfile.Shell;

/// <summary>
/// Expands <c>$VAR</c>, <c>${VAR…}</c>, quotes and escapes in one Dockerfile word exactly as
/// BuildKit's shell lexer does (not as a real shell: no command substitution, no globbing, no
/// assignment). Immutable and safe to share; each call keeps its own state.
/// </summary>
public sealed class ShellLexer
{
    public ShellLexer(char escapeChar = '\\')
    {
        EscapeChar = escapeChar;
    }

    /// <summary>The escape character: backslash, or backtick under <c># escape=`</c>.</summary>
    public char EscapeChar { get; }

    /// <summary>Keep quote characters in the output instead of removing them.</summary>
    public bool RawQuotes { get; init; }

    /// <summary>Keep escape characters in the output instead of removing them.</summary>
    public bool RawEscapes { get; init; }

    /// <summary>Treat quote characters as ordinary text (used for heredoc bodies).</summary>
    public bool SkipProcessQuotes { get; init; }

    /// <summary>Leave references to unset variables as written instead of expanding them to "".</summary>
    public bool SkipUnsetEnv { get; init; }

    /// <summary>Expands <paramref name="word"/> as one word: whitespace is kept, nothing is split.</summary>
    /// <exception cref="DockerfileException">Bad syntax, or a <c>${x?message}</c> on an unset variable.</exception>
    public string ProcessWord(string word, IReadOnlyDictionary<string, string> environment) =>
        Expand(word, environment).Text;

    /// <summary>Expands <paramref name="word"/> and splits it into words on unquoted whitespace.</summary>
    /// <exception cref="DockerfileException">Bad syntax, or a <c>${x?message}</c> on an unset variable.</exception>
    public IReadOnlyList<string> ProcessWords(string word, IReadOnlyDictionary<string, string> environment) =>
        Expand(word, environment).Words;

    /// <summary>Expands <paramref name="word"/>, returning both forms and the variables it referred to.</summary>
    /// <exception cref="DockerfileException">Bad syntax, or a <c>${x?message}</c> on an unset variable.</exception>
    public ShellExpansion Expand(string word, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(word);
        ArgumentNullException.ThrowIfNull(environment);
        return new ShellWordProcessor(this, word, environment).Run();
    }
}
