namespace Drydock.Dockerfile;

/// <summary>
/// Where an instruction sits in its Dockerfile: the physical lines it spans (continuations,
/// skipped comments and heredoc bodies included) and the column of its keyword. All 1-based.
/// </summary>
public sealed record SourceLocation(string FileName, int StartLine, int EndLine, int StartColumn)
{
    public override string ToString() => $"{FileName}:{StartLine}:{StartColumn}";
}
