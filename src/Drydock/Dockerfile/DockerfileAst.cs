namespace Drydock.Dockerfile;

/// <summary>
/// The line-level parse of a whole Dockerfile: instructions in order plus what the parser learned
/// about the file itself. Produced by <see cref="DockerfileParser.ParseAst"/>.
/// </summary>
public sealed record DockerfileAst(
    string FileName,
    IReadOnlyList<Node> Children,
    char EscapeChar,
    IReadOnlyList<ParserDirective> Directives,
    IReadOnlyList<ParserWarning> Warnings)
{
    /// <summary>First line of the first instruction.</summary>
    public int StartLine => Children[0].StartLine;

    /// <summary>Last line of the last instruction (trailing blank lines do not count).</summary>
    public int EndLine => Children[^1].EndLine;

    /// <summary>One <see cref="Node.Dump"/> per line, no final newline (BuildKit's format).</summary>
    public string Dump() => string.Join('\n', Children.Select(c => c.Dump()));
}
