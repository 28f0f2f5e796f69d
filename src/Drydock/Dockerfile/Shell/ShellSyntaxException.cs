namespace Drydock.Dockerfile.Shell;

/// <summary>
/// Raised deep inside one expansion; <see cref="ShellWordProcessor"/> turns it into a
/// <see cref="DockerfileException"/> naming the whole word. Kept apart so the processor can
/// recognise and reword its own errors (e.g. "missing '}'") on the way out.
/// </summary>
internal sealed class ShellSyntaxException(string message) : Exception(message);
