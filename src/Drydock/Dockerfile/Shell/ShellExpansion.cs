namespace Drydock.Dockerfile.Shell;

/// <summary>
/// The result of expanding one word: the single-word text, the same input split into words, and
/// which variable names were looked up and found (<see cref="Matched"/>) or not (<see cref="Unmatched"/>),
/// which lets the builder warn about undefined variables.
/// </summary>
public sealed record ShellExpansion(
    string Text,
    IReadOnlyList<string> Words,
    IReadOnlySet<string> Matched,
    IReadOnlySet<string> Unmatched);
