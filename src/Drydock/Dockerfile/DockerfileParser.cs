using Drydock.Foundation.GoFormats;

namespace Drydock.Dockerfile;

/// <summary>Entry points: Dockerfile text to AST, typed instructions, and build stages.</summary>
public static class DockerfileParser
{
    /// <summary>
    /// Parses and validates a whole Dockerfile into meta ARGs and stages. Nothing is expanded or
    /// executed.
    /// </summary>
    /// <exception cref="DockerfileException">Any syntax or validation error, placed at file:line:column.</exception>
    public static DockerfileDocument Parse(string text, string fileName = "Dockerfile")
    {
        var ast = ParseAst(text, fileName);
        var metaArgs = new List<ArgInstruction>();
        var stages = new List<(FromInstruction From, List<Instruction> Body)>();
        foreach (var node in ast.Children)
        {
            var instruction = ParseInstruction(node, fileName);
            switch (instruction)
            {
                case FromInstruction from:
                    if (from.StageName is { } name && stages.Exists(s => s.From.StageName == name))
                    {
                        throw new DockerfileException(
                            $"duplicate stage name {GoStrings.Quote(name)}",
                            "every AS name must be unique in the Dockerfile").At(from.Location);
                    }
                    stages.Add((from, []));
                    break;
                case ArgInstruction arg when stages.Count == 0:
                    metaArgs.Add(arg);
                    break;
                case var _ when stages.Count == 0:
                    throw new DockerfileException(
                        "no build stage in current context",
                        $"{instruction.Keyword} must come after a FROM; only ARG may come before the first FROM")
                        .At(instruction.Location);
                default:
                    stages[^1].Body.Add(instruction);
                    break;
            }
        }
        return new DockerfileDocument(
            fileName,
            ast.EscapeChar,
            ast.Directives,
            metaArgs,
            [.. stages.Select((s, i) => new Stage(i, s.From, s.Body))],
            ast.Warnings);
    }

    /// <summary>
    /// The line-level parse only (BuildKit's "AST" stage): no instruction is validated yet, unknown
    /// instructions and flags are kept.
    /// </summary>
    /// <exception cref="DockerfileException">No instructions, bad directive, bad ENV/LABEL form,
    /// non-string JSON element, unterminated heredoc, over-long line.</exception>
    public static DockerfileAst ParseAst(string text, string fileName = "Dockerfile")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        return AstParser.Parse(text, fileName);
    }

    /// <summary>
    /// Validates one AST node into its typed instruction; also how ONBUILD triggers from a base
    /// image are parsed (<c>ParseAst(expression)</c>, then this for each node).
    /// </summary>
    /// <exception cref="DockerfileException">Unknown instruction, bad flags or arguments.</exception>
    public static Instruction ParseInstruction(Node node, string fileName = "Dockerfile")
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(fileName);
        return InstructionParser.Parse(node, fileName);
    }
}
