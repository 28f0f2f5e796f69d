namespace Drydock.Dockerfile;

/// <summary><c>COPY [--from] [--chown] [--chmod] [--link] [--parents] [--exclude]… &lt;src&gt;… &lt;dest&gt;</c>.</summary>
public sealed record CopyInstruction : ExpandableInstruction
{
    public override string Keyword => "COPY";

    /// <summary>Source paths (or patterns), in order.</summary>
    public required IReadOnlyList<string> Sources { get; init; }

    /// <summary>Sources given as heredocs.</summary>
    public IReadOnlyList<InlineFile> InlineSources { get; init; } = [];

    public required string Destination { get; init; }

    /// <summary>A stage name, stage index or image to copy from; null for the build context.</summary>
    public string? From { get; init; }

    public string? Chown { get; init; }

    public string? Chmod { get; init; }

    public bool Link { get; init; }

    public bool Parents { get; init; }

    public IReadOnlyList<string> Excludes { get; init; } = [];

    /// <summary>Expands sources, destination, <c>--from</c>, <c>--chown</c>, <c>--chmod</c> and unquoted heredoc bodies.</summary>
    public override CopyInstruction Expand(VariableExpander expander)
    {
        var files = new FileSources(Sources, InlineSources, Destination).Expand(expander, Location);
        return this with
        {
            Sources = files.Paths,
            InlineSources = files.InlineFiles,
            Destination = files.Destination,
            From = expander.OptionalWord(From, Location),
            Chown = expander.OptionalWord(Chown, Location),
            Chmod = expander.OptionalWord(Chmod, Location),
        };
    }

    internal static CopyInstruction Parse(InstructionRequest request)
    {
        if (request.Args.Count < 2)
        {
            throw Usage.NoDestination(Keywords.Copy);
        }
        var flags = request.Flags;
        var chown = flags.String("chown");
        var from = flags.String("from");
        var chmod = flags.String("chmod");
        var link = flags.Bool("link");
        var parents = flags.Bool("parents");
        var excludes = flags.Strings("exclude");
        flags.Parse();

        var files = FileSources.Parse(request, "COPY");
        return new CopyInstruction
        {
            Location = request.Location,
            Original = request.Original,
            Sources = files.Paths,
            InlineSources = files.InlineFiles,
            Destination = files.Destination,
            From = from.OptionalValue,
            Chown = chown.OptionalValue,
            Chmod = chmod.OptionalValue,
            Link = link.IsTrue,
            Parents = parents.IsTrue,
            Excludes = excludes.Values,
        };
    }
}
