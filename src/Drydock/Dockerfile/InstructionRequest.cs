namespace Drydock.Dockerfile;

/// <summary>What an instruction's parse function needs from its AST node.</summary>
internal sealed class InstructionRequest
{
    public InstructionRequest(Node node, string fileName)
    {
        Node = node;
        Location = new SourceLocation(fileName, node.StartLine, node.EndLine, node.StartColumn);
        Flags = new FlagSet(node.Keyword, node.Flags);
        Args = ArgsOf(node);
    }

    public Node Node { get; }

    public SourceLocation Location { get; }

    public FlagSet Flags { get; }

    /// <summary>The arguments; for ONBUILD, the trigger's keyword followed by its arguments.</summary>
    public IReadOnlyList<string> Args { get; }

    public bool IsJson => Node.IsJson;

    /// <summary>The instruction as written, continuations joined, outer whitespace removed.</summary>
    public string Original => Node.Original.Trim();

    private static List<string> ArgsOf(Node node)
    {
        var args = new List<string>(node.Args);
        if (node.Trigger is { } trigger)
        {
            args.Add(trigger.KeywordAsWritten);
            args.AddRange(ArgsOf(trigger));
        }
        return args;
    }
}
