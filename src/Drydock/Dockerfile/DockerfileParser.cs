namespace Drydock.Dockerfile;

/// <summary>Entry points: Dockerfile text to AST, typed instructions, and build stages.</summary>
public static class DockerfileParser
{
    /// <summary>
    /// The line-level parse only (BuildKit's "AST" stage): no instruction is validated yet, unknown
    /// instructions and flags are kept.
    /// </summary>
    /// <exception cref="DockerfileException">No instructions, bad directive, bad ENV/LABEL form,
    /// non-string JSON element, unterminated heredoc, over-long line.</exception>
    public static DockerfileAst ParseAst(string text, string fileName = "Dockerfile")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        return AstParser.Parse(text, fileName);
    }
}
