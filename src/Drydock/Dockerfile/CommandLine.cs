namespace Drydock.Dockerfile;

/// <summary>
/// The command of RUN, CMD or ENTRYPOINT: shell form (one string the image's shell runs) or exec
/// form (an argument list run directly).
/// </summary>
public abstract record CommandLine
{
    private CommandLine()
    {
    }

    /// <summary><c>RUN apt-get update</c>: run as <c>SHELL + [Text]</c>.</summary>
    public sealed record ShellForm(string Text) : CommandLine;

    /// <summary>
    /// <c>CMD ["nginx", "-g", "daemon off;"]</c>: run as is. An empty list is <c>CMD []</c> /
    /// <c>ENTRYPOINT []</c>, which resets the setting.
    /// </summary>
    public sealed record ExecForm(IReadOnlyList<string> Arguments) : CommandLine;

    internal static CommandLine From(InstructionRequest request, IReadOnlyList<string> args) =>
        request.IsJson ? new ExecForm(args) : new ShellForm(string.Join(' ', args));
}
