namespace Drydock.Dockerfile;

/// <summary>One <c>name[=default]</c> of an ARG instruction; <see cref="DefaultValue"/> is null without <c>=</c>.</summary>
public sealed record ArgDefinition(string Name, string? DefaultValue);

/// <summary><c>ARG name[=default] …</c>. Before the first FROM these are the file's meta ARGs.</summary>
public sealed record ArgInstruction : ExpandableInstruction
{
    public override string Keyword => "ARG";

    public required IReadOnlyList<ArgDefinition> Args { get; init; }

    /// <summary>
    /// Expands the names and the default values, each one word with the variables in scope, as
    /// kaniko and BuildKit before Dockerfile frontend 1.8 do: <c>ENV src file3</c> then
    /// <c>ARG ${src}=x</c> declares <c>file3</c>. Meta ARGs (before the first FROM) are never
    /// expanded this way: their names stay as written. A builder that honours <c>--build-arg</c>
    /// should skip the default of an overridden name: use <see cref="VariableExpander.Word"/> on
    /// the defaults it needs instead.
    /// </summary>
    public override ArgInstruction Expand(VariableExpander expander) => this with
    {
        Args = [.. Args.Select(a => new ArgDefinition(ExpandName(a.Name, expander), expander.OptionalWord(a.DefaultValue, Location)))],
    };

    private string ExpandName(string name, VariableExpander expander)
    {
        var expanded = expander.Word(name, Location);
        if (expanded.Length == 0)
        {
            throw new DockerfileException(
                $"ARG name {name} expands to nothing",
                "define the variable it names before this ARG, e.g. with ENV").At(Location);
        }
        return expanded;
    }

    // ARG never looks at its flags: BuildKit ignores any given.
    internal static ArgInstruction Parse(InstructionRequest request)
    {
        if (request.Args.Count == 0)
        {
            throw Usage.AtLeastOneArgument(Keywords.Arg);
        }
        var definitions = new List<ArgDefinition>(request.Args.Count);
        foreach (var arg in request.Args)
        {
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var definition = eq < 0 ? new ArgDefinition(arg, null) : new ArgDefinition(arg[..eq], arg[(eq + 1)..]);
            if (definition.Name.Length == 0)
            {
                throw new DockerfileException("ARG names can not be blank", Usage.Of(Keywords.Arg));
            }
            definitions.Add(definition);
        }
        return new ArgInstruction
        {
            Location = request.Location,
            Original = request.Original,
            Args = definitions,
        };
    }
}
