using System.Text;
using Drydock.Foundation.GoFormats;

namespace Drydock.Dockerfile;

/// <summary>
/// One instruction of the line-level AST, as BuildKit's parser produces it before any validation.
/// </summary>
public sealed record Node
{
    /// <summary>The instruction word in lower case (<c>run</c>, <c>healthcheck</c>, or an unknown word).</summary>
    public required string Keyword { get; init; }

    /// <summary>The instruction word as the user wrote it, for messages.</summary>
    public required string KeywordAsWritten { get; init; }

    /// <summary>Leading <c>--flag</c> words with quotes and escapes processed (<c>--from=build</c>).</summary>
    public required IReadOnlyList<string> Flags { get; init; }

    /// <summary>The arguments, split the way this keyword splits them.</summary>
    public required IReadOnlyList<string> Args { get; init; }

    /// <summary>The instruction an ONBUILD wraps; null otherwise.</summary>
    public Node? Trigger { get; init; }

    /// <summary>True when the arguments were a JSON array (exec form).</summary>
    public bool IsJson { get; init; }

    /// <summary>The logical line: physical lines joined, continuation characters removed.</summary>
    public required string Original { get; init; }

    public int StartLine { get; init; }

    public int EndLine { get; init; }

    /// <summary>1-based column of the keyword on <see cref="StartLine"/>.</summary>
    public int StartColumn { get; init; }

    public IReadOnlyList<Heredoc> Heredocs { get; init; } = [];

    /// <summary>
    /// BuildKit's s-expression form, e.g. <c>(copy ["--from=a"] "x" "/y")</c> or
    /// <c>(onbuild (run "echo" "hi"))</c>. Heredocs, line numbers and exec/shell form are not shown.
    /// </summary>
    public string Dump()
    {
        var sb = new StringBuilder("(").Append(Keyword);
        if (Flags.Count > 0)
        {
            sb.Append(" [").AppendJoin(' ', Flags.Select(GoStrings.Quote)).Append(']');
        }
        foreach (var arg in Args)
        {
            sb.Append(' ').Append(GoStrings.Quote(arg));
        }
        if (Trigger is not null)
        {
            sb.Append(' ').Append(Trigger.Dump());
        }
        return sb.Append(')').ToString();
    }
}
