using System.Diagnostics.CodeAnalysis;

namespace Drydock.Dockerfile;

/// <summary>
/// <c>ADD [--chown] [--chmod] [--link] [--checksum] [--keep-git-dir] [--unpack] [--exclude]… &lt;src&gt;… &lt;dest&gt;</c>:
/// like COPY, plus URLs, git repositories and archive unpacking.
/// </summary>
public sealed record AddInstruction : FileInstruction
{
    public override string Keyword => "ADD";

    /// <summary>Expected digest of a remote source (<c>sha256:…</c>).</summary>
    public string? Checksum { get; init; }

    /// <summary>Keep <c>.git</c> of a git source; null when not said.</summary>
    public bool? KeepGitDir { get; init; }

    /// <summary>Unpack archives; null when not said (then local archives unpack, remote ones do not).</summary>
    public bool? Unpack { get; init; }

    /// <summary>Expands sources, destination, <c>--chown</c>, <c>--chmod</c>, <c>--checksum</c> and unquoted heredoc bodies.</summary>
    public override AddInstruction Expand(VariableExpander expander) =>
        (AddInstruction)ExpandFiles(expander) with { Checksum = expander.OptionalWord(Checksum, Location) };

    [SetsRequiredMembers]
    private AddInstruction(InstructionRequest request, SharedFlags flags)
        : base(request, Keywords.Add, flags)
    {
    }

    internal static AddInstruction Parse(InstructionRequest request)
    {
        var shared = DeclareFlags(request, Keywords.Add);
        var keepGitDir = request.Flags.Bool("keep-git-dir");
        var checksum = request.Flags.String("checksum");
        var unpack = request.Flags.Bool("unpack");
        request.Flags.Parse();
        return new AddInstruction(request, shared)
        {
            Checksum = checksum.OptionalValue,
            KeepGitDir = keepGitDir.OptionalBool,
            Unpack = unpack.OptionalBool,
        };
    }
}
