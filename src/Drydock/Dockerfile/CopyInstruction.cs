using System.Diagnostics.CodeAnalysis;

namespace Drydock.Dockerfile;

/// <summary><c>COPY [--from] [--chown] [--chmod] [--link] [--parents] [--exclude]… &lt;src&gt;… &lt;dest&gt;</c>.</summary>
public sealed record CopyInstruction : FileInstruction
{
    public override string Keyword => "COPY";

    /// <summary>A stage name, stage index or image to copy from; null for the build context.</summary>
    public string? From { get; init; }

    public bool Parents { get; init; }

    /// <summary>Expands sources, destination, <c>--from</c>, <c>--chown</c>, <c>--chmod</c> and unquoted heredoc bodies.</summary>
    public override CopyInstruction Expand(VariableExpander expander) =>
        (CopyInstruction)ExpandFiles(expander) with { From = expander.OptionalWord(From, Location) };

    [SetsRequiredMembers]
    private CopyInstruction(InstructionRequest request, SharedFlags flags)
        : base(request, Keywords.Copy, flags)
    {
    }

    internal static CopyInstruction Parse(InstructionRequest request)
    {
        var shared = DeclareFlags(request, Keywords.Copy);
        var from = request.Flags.String("from");
        var parents = request.Flags.Bool("parents");
        request.Flags.Parse();
        return new CopyInstruction(request, shared) { From = from.OptionalValue, Parents = parents.IsTrue };
    }
}
