namespace Drydock.Dockerfile;

/// <summary>
/// A here-document attached to RUN, COPY or ADD (<c>&lt;&lt;EOF</c>, <c>&lt;&lt;-EOF</c>,
/// <c>3&lt;&lt;'EOF'</c>).
/// </summary>
/// <param name="Name">The terminator word with its quotes removed; COPY/ADD use it as the file name.</param>
/// <param name="Content">The body, every line with its own newline, exactly as in the file.</param>
/// <param name="Expand">False when any part of the terminator was quoted: the body is then taken literally.</param>
/// <param name="Chomp">True for <c>&lt;&lt;-</c>: leading tabs are not part of the text.</param>
/// <param name="FileDescriptor">The digits before <c>&lt;&lt;</c>, or 0.</param>
public sealed record Heredoc(string Name, string Content, bool Expand, bool Chomp, int FileDescriptor);
