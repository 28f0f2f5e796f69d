namespace Drydock.Dockerfile;

/// <summary><c>CMD</c>: the image's default command (or the default arguments to ENTRYPOINT).</summary>
public sealed record CmdInstruction : Instruction
{
    public override string Keyword => "CMD";

    public required CommandLine Command { get; init; }

    internal static CmdInstruction Parse(InstructionRequest request)
    {
        request.Flags.Parse();
        return new CmdInstruction
        {
            Location = request.Location,
            Original = request.Original,
            Command = CommandLine.From(request, request.Args),
        };
    }
}

/// <summary><c>ENTRYPOINT</c>: the image's entry point. <c>ENTRYPOINT []</c> (empty exec form) clears it.</summary>
public sealed record EntrypointInstruction : Instruction
{
    public override string Keyword => "ENTRYPOINT";

    public required CommandLine Command { get; init; }

    internal static EntrypointInstruction Parse(InstructionRequest request)
    {
        request.Flags.Parse();
        return new EntrypointInstruction
        {
            Location = request.Location,
            Original = request.Original,
            Command = CommandLine.From(request, request.Args),
        };
    }
}

/// <summary><c>SHELL ["executable", "parameters"]</c>: the shell for later shell-form commands. JSON only.</summary>
public sealed record ShellInstruction : Instruction
{
    public override string Keyword => "SHELL";

    public required IReadOnlyList<string> Shell { get; init; }

    internal static ShellInstruction Parse(InstructionRequest request)
    {
        request.Flags.Parse();
        if (request.Args.Count == 0)
        {
            throw Usage.AtLeastOneArgument(Keywords.Shell);
        }
        if (!request.IsJson)
        {
            throw new DockerfileException("SHELL requires the arguments to be in JSON form", "write it as SHELL [\"/bin/sh\", \"-c\"]");
        }
        return new ShellInstruction
        {
            Location = request.Location,
            Original = request.Original,
            Shell = request.Args,
        };
    }
}
