namespace Drydock.Dockerfile;

/// <summary>
/// A parser directive from the top of the file (<c># syntax=…</c>, <c># escape=…</c>,
/// <c># check=…</c>). <see cref="Name"/> is lower case; <see cref="Value"/> is as written, trimmed.
/// </summary>
public sealed record ParserDirective(string Name, string Value, int Line);
