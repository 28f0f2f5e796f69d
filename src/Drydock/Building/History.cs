using Drydock.Context.Remote;
using Drydock.Dockerfile;

namespace Drydock.Building;

/// <summary>The created_by text of history entries, in the form BuildKit writes.</summary>
internal static class History
{
    public static string RunCreatedBy(IReadOnlyList<string> argv) => "RUN " + string.Join(' ', argv);

    /// <summary>The instruction as written (credentials in URLs hidden), keyword first, continuation lines joined.</summary>
    public static string CreatedBy(Instruction instruction)
    {
        var text = UrlCredentials.Redact(instruction.Original.ReplaceLineEndings(" "));
        var space = text.IndexOfAny([' ', '\t']);
        return space < 0 ? instruction.Keyword : instruction.Keyword + text[space..];
    }
}
