namespace Drydock.Dockerfile;

/// <summary><c>WORKDIR &lt;path&gt;</c>.</summary>
public sealed record WorkdirInstruction : ExpandableInstruction
{
    public override string Keyword => "WORKDIR";

    public required string Path { get; init; }

    public override WorkdirInstruction Expand(VariableExpander expander) =>
        this with { Path = expander.Word(Path, Location) };

    internal static WorkdirInstruction Parse(InstructionRequest request) => new()
    {
        Location = request.Location,
        Original = request.Original,
        Path = SingleValue.Read(request, Keywords.Workdir, parseFlags: true),
    };
}

/// <summary><c>USER &lt;user&gt;[:&lt;group&gt;]</c>.</summary>
public sealed record UserInstruction : ExpandableInstruction
{
    public override string Keyword => "USER";

    public required string User { get; init; }

    public override UserInstruction Expand(VariableExpander expander) =>
        this with { User = expander.Word(User, Location) };

    internal static UserInstruction Parse(InstructionRequest request) => new()
    {
        Location = request.Location,
        Original = request.Original,
        User = SingleValue.Read(request, Keywords.User, parseFlags: true),
    };
}

/// <summary><c>STOPSIGNAL &lt;signal&gt;</c>.</summary>
public sealed record StopSignalInstruction : ExpandableInstruction
{
    public override string Keyword => "STOPSIGNAL";

    public required string Signal { get; init; }

    public override StopSignalInstruction Expand(VariableExpander expander) =>
        this with { Signal = expander.Word(Signal, Location) };

    // STOPSIGNAL never looks at its flags: BuildKit ignores any given.
    internal static StopSignalInstruction Parse(InstructionRequest request) => new()
    {
        Location = request.Location,
        Original = request.Original,
        Signal = SingleValue.Read(request, Keywords.StopSignal, parseFlags: false),
    };
}

/// <summary><c>MAINTAINER &lt;name&gt;</c> (deprecated; sets the image's author). Not expanded.</summary>
public sealed record MaintainerInstruction : Instruction
{
    public override string Keyword => "MAINTAINER";

    public required string Maintainer { get; init; }

    internal static MaintainerInstruction Parse(InstructionRequest request) => new()
    {
        Location = request.Location,
        Original = request.Original,
        Maintainer = SingleValue.Read(request, Keywords.Maintainer, parseFlags: true),
    };
}

internal static class SingleValue
{
    // The AST keeps the whole rest of the line as one argument, so "exactly one" means "some".
    public static string Read(InstructionRequest request, string keyword, bool parseFlags)
    {
        if (request.Args.Count != 1)
        {
            throw Usage.ExactlyOneArgument(keyword);
        }
        if (parseFlags)
        {
            request.Flags.Parse();
        }
        return request.Args[0];
    }
}
