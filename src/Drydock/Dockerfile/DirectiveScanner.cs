using System.Text.RegularExpressions;

namespace Drydock.Dockerfile;

/// <summary>
/// Recognises parser directives. They count only in the unbroken run of <c># name=value</c> lines
/// at the very top; the first other line (blank line, ordinary comment, unknown directive name,
/// instruction) ends the run for good.
/// </summary>
internal sealed partial class DirectiveScanner(string fileName)
{
    private static readonly HashSet<string> Known = ["syntax", "escape", "check"];

    private readonly List<ParserDirective> _found = [];
    private bool _done;

    public char EscapeChar { get; private set; } = '\\';

    public IReadOnlyList<ParserDirective> Found => _found;

    /// <summary>Looks at one physical line (newline removed, leading whitespace removed).</summary>
    public void Scan(string line, int lineNumber)
    {
        if (_done)
        {
            return;
        }
        if (!line.StartsWith('#'))
        {
            _done = true;
            return;
        }
        var match = DirectivePattern().Match(line[1..].TrimStart());
        var name = match.Success ? match.Groups[1].Value.ToLowerInvariant() : "";
        if (!Known.Contains(name))
        {
            _done = true;
            return;
        }
        if (_found.Exists(d => d.Name == name))
        {
            throw new DockerfileException(
                $"only one {name} parser directive can be used",
                "remove the repeated directive").At(fileName, lineNumber, 1);
        }
        var value = match.Groups[2].Value;
        if (name == "escape")
        {
            if (value is not ("\\" or "`"))
            {
                throw new DockerfileException(
                    $"invalid escape token '{value}' does not match ` or \\",
                    "use '# escape=\\' or '# escape=`'").At(fileName, lineNumber, 1);
            }
            EscapeChar = value[0];
        }
        _found.Add(new ParserDirective(name, value, lineNumber));
    }

    // Go's \s is ASCII whitespace without \v; .NET's would also take Unicode spaces.
    [GeneratedRegex(@"\A([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\z")]
    private static partial Regex DirectivePattern();
}
