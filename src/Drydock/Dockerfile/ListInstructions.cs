namespace Drydock.Dockerfile;

/// <summary><c>EXPOSE &lt;port&gt;[/&lt;protocol&gt;] …</c>. Ports are kept sorted as strings, like BuildKit.</summary>
public sealed record ExposeInstruction : ExpandableInstruction
{
    public override string Keyword => "EXPOSE";

    public required IReadOnlyList<string> Ports { get; init; }

    /// <summary>Expands each port, splitting on whitespace (<c>EXPOSE $PORTS</c> may give several).</summary>
    public override ExposeInstruction Expand(VariableExpander expander) =>
        this with { Ports = [.. Ports.SelectMany(p => expander.Words(p, Location))] };

    internal static ExposeInstruction Parse(InstructionRequest request)
    {
        if (request.Args.Count == 0)
        {
            throw Usage.AtLeastOneArgument(Keywords.Expose);
        }
        request.Flags.Parse();
        return new ExposeInstruction
        {
            Location = request.Location,
            Original = request.Original,
            Ports = [.. request.Args.Order(StringComparer.Ordinal)],
        };
    }
}

/// <summary><c>VOLUME ["/data"]</c> or <c>VOLUME /a /b</c>.</summary>
public sealed record VolumeInstruction : ExpandableInstruction
{
    public override string Keyword => "VOLUME";

    public required IReadOnlyList<string> Volumes { get; init; }

    public override VolumeInstruction Expand(VariableExpander expander) =>
        this with { Volumes = [.. Volumes.Select(v => expander.Word(v, Location))] };

    internal static VolumeInstruction Parse(InstructionRequest request)
    {
        if (request.Args.Count == 0)
        {
            throw Usage.AtLeastOneArgument(Keywords.Volume);
        }
        request.Flags.Parse();
        var volumes = new List<string>(request.Args.Count);
        foreach (var arg in request.Args)
        {
            var volume = arg.Trim();
            if (volume.Length == 0)
            {
                throw new DockerfileException("VOLUME specified can not be an empty string", Usage.Of(Keywords.Volume));
            }
            volumes.Add(volume);
        }
        return new VolumeInstruction
        {
            Location = request.Location,
            Original = request.Original,
            Volumes = volumes,
        };
    }
}
