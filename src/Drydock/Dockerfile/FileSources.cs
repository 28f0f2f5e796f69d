namespace Drydock.Dockerfile;

/// <summary>A file COPY or ADD creates from a heredoc (<c>COPY &lt;&lt;EOF /etc/motd</c>).</summary>
/// <param name="Path">The heredoc's name, used as the file name.</param>
/// <param name="Data">The body; leading tabs already removed for <c>&lt;&lt;-</c>.</param>
/// <param name="Expand">Whether variables in the body are expanded (unquoted terminator).</param>
public sealed record InlineFile(string Path, string Data, bool Expand);

/// <summary>The sources/destination split shared by COPY and ADD.</summary>
internal sealed record FileSources(IReadOnlyList<string> Paths, IReadOnlyList<InlineFile> InlineFiles, string Destination)
{
    public static FileSources Parse(InstructionRequest request, string keyword)
    {
        var args = request.Args;
        var destination = args[^1];
        if (HeredocParser.TryParseWord(destination) is not null)
        {
            throw new DockerfileException(
                $"{keyword} cannot accept a heredoc as a destination",
                "put the heredoc before the destination path");
        }

        var bodies = new Dictionary<string, Heredoc>(StringComparer.Ordinal);
        foreach (var heredoc in request.Node.Heredocs)
        {
            bodies[heredoc.Name] = heredoc;
        }
        var paths = new List<string>();
        var inline = new List<InlineFile>();
        foreach (var source in args.Take(args.Count - 1))
        {
            if (HeredocParser.TryParseWord(source) is not { } marker)
            {
                paths.Add(source);
                continue;
            }
            var content = bodies.TryGetValue(marker.Name, out var body) ? body.Content : "";
            inline.Add(new InlineFile(marker.Name, marker.Chomp ? HeredocParser.Chomp(content) : content, marker.Expand));
        }
        return new FileSources(paths, inline, destination);
    }

    public FileSources Expand(VariableExpander expander, SourceLocation location) => new(
        [.. Paths.Select(p => expander.Word(p, location))],
        [.. InlineFiles.Select(f => f.Expand ? f with { Data = expander.HeredocBody(f.Data, location) } : f)],
        expander.Word(Destination, location));
}
