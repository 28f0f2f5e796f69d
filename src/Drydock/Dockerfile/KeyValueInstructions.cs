namespace Drydock.Dockerfile;

/// <summary>One <c>key=value</c> of ENV or LABEL, unexpanded (quotes still in place).</summary>
public sealed record KeyValue(string Key, string Value);

/// <summary><c>ENV key=value …</c> or the old <c>ENV key value</c>.</summary>
public sealed record EnvInstruction : ExpandableInstruction
{
    public override string Keyword => "ENV";

    public required IReadOnlyList<KeyValue> Variables { get; init; }

    /// <summary>Expands keys and values.</summary>
    public override EnvInstruction Expand(VariableExpander expander) =>
        this with { Variables = KeyValues.Expand(Variables, expander, Location) };

    internal static EnvInstruction Parse(InstructionRequest request)
    {
        request.Flags.Parse();
        return new EnvInstruction
        {
            Location = request.Location,
            Original = request.Original,
            Variables = KeyValues.FromTriples(request.Args, Keywords.Env),
        };
    }
}

/// <summary><c>LABEL key=value …</c> or the old <c>LABEL key value</c>.</summary>
public sealed record LabelInstruction : ExpandableInstruction
{
    public override string Keyword => "LABEL";

    public required IReadOnlyList<KeyValue> Labels { get; init; }

    /// <summary>Expands keys and values.</summary>
    public override LabelInstruction Expand(VariableExpander expander) =>
        this with { Labels = KeyValues.Expand(Labels, expander, Location) };

    internal static LabelInstruction Parse(InstructionRequest request)
    {
        request.Flags.Parse();
        return new LabelInstruction
        {
            Location = request.Location,
            Original = request.Original,
            Labels = KeyValues.FromTriples(request.Args, Keywords.Label),
        };
    }
}

internal static class KeyValues
{
    // The AST stores key, value, separator triples (see NodeFactory).
    public static List<KeyValue> FromTriples(IReadOnlyList<string> args, string keyword)
    {
        if (args.Count == 0)
        {
            throw Usage.AtLeastOneArgument(keyword);
        }
        var upper = keyword.ToUpperInvariant();
        if (args.Count % 3 != 0)
        {
            throw new DockerfileException($"Bad input to {upper}, too many arguments", Usage.Of(keyword));
        }
        var result = new List<KeyValue>(args.Count / 3);
        for (var i = 0; i < args.Count; i += 3)
        {
            if (args[i].Length == 0)
            {
                throw new DockerfileException($"{upper} names can not be blank", Usage.Of(keyword));
            }
            result.Add(new KeyValue(args[i], args[i + 1]));
        }
        return result;
    }

    public static List<KeyValue> Expand(IReadOnlyList<KeyValue> pairs, VariableExpander expander, SourceLocation location) =>
        [.. pairs.Select(p => new KeyValue(expander.Word(p.Key, location), expander.Word(p.Value, location)))];
}
