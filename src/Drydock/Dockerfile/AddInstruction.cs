namespace Drydock.Dockerfile;

/// <summary>
/// <c>ADD [--chown] [--chmod] [--link] [--checksum] [--keep-git-dir] [--unpack] [--exclude]… &lt;src&gt;… &lt;dest&gt;</c>:
/// like COPY, plus URLs, git repositories and archive unpacking.
/// </summary>
public sealed record AddInstruction : ExpandableInstruction
{
    public override string Keyword => "ADD";

    public required IReadOnlyList<string> Sources { get; init; }

    public IReadOnlyList<InlineFile> InlineSources { get; init; } = [];

    public required string Destination { get; init; }

    public string? Chown { get; init; }

    public string? Chmod { get; init; }

    public bool Link { get; init; }

    /// <summary>Expected digest of a remote source (<c>sha256:…</c>).</summary>
    public string? Checksum { get; init; }

    /// <summary>Keep <c>.git</c> of a git source; null when not said.</summary>
    public bool? KeepGitDir { get; init; }

    /// <summary>Unpack archives; null when not said (then local archives unpack, remote ones do not).</summary>
    public bool? Unpack { get; init; }

    public IReadOnlyList<string> Excludes { get; init; } = [];

    /// <summary>Expands sources, destination, <c>--chown</c>, <c>--chmod</c>, <c>--checksum</c> and unquoted heredoc bodies.</summary>
    public override AddInstruction Expand(VariableExpander expander)
    {
        var files = new FileSources(Sources, InlineSources, Destination).Expand(expander, Location);
        return this with
        {
            Sources = files.Paths,
            InlineSources = files.InlineFiles,
            Destination = files.Destination,
            Chown = expander.OptionalWord(Chown, Location),
            Chmod = expander.OptionalWord(Chmod, Location),
            Checksum = expander.OptionalWord(Checksum, Location),
        };
    }

    internal static AddInstruction Parse(InstructionRequest request)
    {
        if (request.Args.Count < 2)
        {
            throw Usage.NoDestination(Keywords.Add);
        }
        var flags = request.Flags;
        var excludes = flags.Strings("exclude");
        var chown = flags.String("chown");
        var chmod = flags.String("chmod");
        var link = flags.Bool("link");
        var keepGitDir = flags.Bool("keep-git-dir");
        var checksum = flags.String("checksum");
        var unpack = flags.Bool("unpack");
        flags.Parse();

        var files = FileSources.Parse(request, "ADD");
        return new AddInstruction
        {
            Location = request.Location,
            Original = request.Original,
            Sources = files.Paths,
            InlineSources = files.InlineFiles,
            Destination = files.Destination,
            Chown = chown.OptionalValue,
            Chmod = chmod.OptionalValue,
            Link = link.IsTrue,
            Checksum = checksum.OptionalValue,
            KeepGitDir = keepGitDir.OptionalBool,
            Unpack = unpack.OptionalBool,
            Excludes = excludes.Values,
        };
    }
}
