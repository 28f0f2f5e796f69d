using Drydock.Foundation.GoFormats;

namespace Drydock.Dockerfile;

/// <summary><c>RUN [--mount=…] [--network=…] [--security=…] &lt;command&gt;</c>.</summary>
public sealed record RunInstruction : Instruction
{
    public override string Keyword => "RUN";

    /// <summary>The command, never variable-expanded here (the shell does that).</summary>
    public required CommandLine Command { get; init; }

    /// <summary>Heredoc bodies the command refers to (<c>RUN &lt;&lt;EOF</c>), as written.</summary>
    public IReadOnlyList<Heredoc> Heredocs { get; init; } = [];

    /// <summary>
    /// Each <c>--mount</c> value, raw CSV (<c>type=cache,target=/root/.cache</c>), checked only as far
    /// as BuildKit checks before expansion; <see cref="RunMountParser.Parse"/> does the rest.
    /// </summary>
    public IReadOnlyList<string> Mounts { get; init; } = [];

    /// <summary><c>default</c>, <c>none</c> or <c>host</c>.</summary>
    public string Network { get; init; } = "default";

    /// <summary><c>sandbox</c> or <c>insecure</c>.</summary>
    public string Security { get; init; } = "sandbox";

    /// <summary>Each <c>--device</c> value, raw.</summary>
    public IReadOnlyList<string> Devices { get; init; } = [];

    /// <summary>Names of the flags that were given, in order.</summary>
    public IReadOnlyList<string> FlagsUsed { get; init; } = [];

    internal static RunInstruction Parse(InstructionRequest request)
    {
        var mounts = request.Flags.Strings("mount");
        var network = request.Flags.String("network", "default");
        var security = request.Flags.String("security", "sandbox");
        var devices = request.Flags.Strings("device");
        request.Flags.Parse();
        foreach (var mount in mounts.Values)
        {
            RunMountParser.ParseUnexpanded(mount);
        }

        if (network.Value is not ("default" or "none" or "host"))
        {
            throw new DockerfileException(
                $"unsupported network mode {GoStrings.Quote(network.Value)}",
                "use --network=default, --network=none or --network=host");
        }
        if (security.Value is not ("sandbox" or "insecure"))
        {
            throw new DockerfileException(
                $"unsupported security mode {GoStrings.Quote(security.Value)}",
                "use --security=sandbox or --security=insecure");
        }

        return new RunInstruction
        {
            Location = request.Location,
            Original = request.Original,
            Command = CommandLine.From(request, request.Args),
            Heredocs = request.Node.Heredocs,
            Mounts = mounts.Values,
            Network = network.Value,
            Security = security.Value,
            Devices = devices.Values,
            FlagsUsed = request.Flags.Used,
        };
    }
}
