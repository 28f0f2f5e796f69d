namespace Drydock.Dockerfile;

/// <summary>
/// The one error type of Dockerfile parsing, validation and variable expansion.
/// <see cref="Message"/> reads like <c>Dockerfile:3:1: unknown instruction: FOO</c>, followed by a
/// hint line when there is a useful way to fix the input.
/// </summary>
public sealed class DockerfileException : Exception
{
    public DockerfileException(string reason, string? hint = null)
        : this(reason, hint, fileName: null, line: 0, column: 0)
    {
    }

    private DockerfileException(string reason, string? hint, string? fileName, int line, int column)
        : base(Compose(reason, hint, fileName, line, column))
    {
        Reason = reason;
        Hint = hint;
        FileName = fileName;
        Line = line;
        Column = column;
    }

    /// <summary>What is wrong, without location or hint.</summary>
    public string Reason { get; }

    /// <summary>How to fix it, when there is something useful to say.</summary>
    public string? Hint { get; }

    /// <summary>The Dockerfile's name, when known.</summary>
    public string? FileName { get; }

    /// <summary>1-based line, or 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>1-based column, or 0 when unknown.</summary>
    public int Column { get; }

    /// <summary>Whether a file name has been attached yet.</summary>
    public bool HasLocation => FileName is not null;

    /// <summary>
    /// The same error placed in a file. Inner layers (lexer, flag parser) know what went wrong but
    /// not where; the layer that knows the instruction attaches its position.
    /// </summary>
    public DockerfileException At(string fileName, int line, int column) =>
        new(Reason, Hint, fileName, line, column);

    internal DockerfileException At(SourceLocation location) =>
        At(location.FileName, location.StartLine, location.StartColumn);

    private static string Compose(string reason, string? hint, string? fileName, int line, int column)
    {
        var where = fileName switch
        {
            null => "",
            _ when line <= 0 => $"{fileName}: ",
            _ when column <= 0 => $"{fileName}:{line}: ",
            _ => $"{fileName}:{line}:{column}: ",
        };
        return hint is null ? where + reason : $"{where}{reason}\n{hint}";
    }
}
