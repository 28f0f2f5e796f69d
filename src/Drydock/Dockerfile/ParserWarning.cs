namespace Drydock.Dockerfile;

/// <summary>Something the parser accepted but the user should fix (BuildKit warns about the same).</summary>
public sealed record ParserWarning(string Message, int Line);
