using System.Diagnostics.CodeAnalysis;

namespace Drydock.Dockerfile;

/// <summary>What COPY and ADD share: sources (paths, patterns or heredocs), a destination, and the file flags.</summary>
public abstract record FileInstruction : ExpandableInstruction
{
    /// <summary>Reads what COPY and ADD share from a request whose flags (<see cref="DeclareFlags"/>) are parsed; <paramref name="keyword"/> as in <see cref="Keywords"/>.</summary>
    [SetsRequiredMembers]
    private protected FileInstruction(InstructionRequest request, string keyword, SharedFlags flags)
    {
        var files = FileSources.Parse(request, keyword.ToUpperInvariant());
        Location = request.Location;
        Original = request.Original;
        Sources = files.Paths;
        InlineSources = files.InlineFiles;
        Destination = files.Destination;
        Chown = flags.Chown.OptionalValue;
        Chmod = flags.Chmod.OptionalValue;
        Link = flags.Link.IsTrue;
        Excludes = flags.Excludes.Values;
    }

    /// <summary>Source paths (or patterns), in order.</summary>
    public required IReadOnlyList<string> Sources { get; init; }

    /// <summary>Sources given as heredocs.</summary>
    public IReadOnlyList<InlineFile> InlineSources { get; init; } = [];

    public required string Destination { get; init; }

    public string? Chown { get; init; }

    public string? Chmod { get; init; }

    public bool Link { get; init; }

    public IReadOnlyList<string> Excludes { get; init; } = [];

    /// <summary>Checks that a destination is given and declares the flags COPY and ADD share.</summary>
    private protected static SharedFlags DeclareFlags(InstructionRequest request, string keyword)
    {
        if (request.Args.Count < 2)
        {
            throw Usage.NoDestination(keyword);
        }
        var flags = request.Flags;
        return new SharedFlags(flags.String("chown"), flags.String("chmod"), flags.Bool("link"), flags.Strings("exclude"));
    }

    /// <summary>A copy with the sources, destination, <c>--chown</c>, <c>--chmod</c> and unquoted heredoc bodies expanded.</summary>
    protected FileInstruction ExpandFiles(VariableExpander expander)
    {
        ArgumentNullException.ThrowIfNull(expander);
        var files = new FileSources(Sources, InlineSources, Destination).Expand(expander, Location);
        return this with
        {
            Sources = files.Paths,
            InlineSources = files.InlineFiles,
            Destination = files.Destination,
            Chown = expander.OptionalWord(Chown, Location),
            Chmod = expander.OptionalWord(Chmod, Location),
        };
    }

    private protected sealed record SharedFlags(Flag Chown, Flag Chmod, Flag Link, Flag Excludes);
}
