using System.Text;

namespace Drydock.Dockerfile;

/// <summary>
/// BuildKit's line parser: physical lines → logical lines (directives, comments, continuations,
/// heredoc bodies) → <see cref="Node"/>s with their line spans.
/// </summary>
internal sealed class AstParser
{
    // bufio.Scanner's limit in BuildKit: 64 KiB including the newline.
    private const int MaxLineBytes = 65535;

    private readonly string _fileName;
    private readonly List<string> _lines;
    private readonly DirectiveScanner _directives;
    private readonly List<ParserWarning> _warnings = [];
    private int _next;

    private AstParser(string text, string fileName)
    {
        _fileName = fileName;
        _directives = new DirectiveScanner(fileName);
        _lines = SplitLines(text.StartsWith('\uFEFF') ? text[1..] : text);
    }

    public static DockerfileAst Parse(string text, string fileName) => new AstParser(text, fileName).Run();

    private char Escape => _directives.EscapeChar;

    private DockerfileAst Run()
    {
        var nodes = new List<Node>();
        while (_next < _lines.Count)
        {
            if (ReadInstruction() is { } node)
            {
                nodes.Add(node);
            }
        }
        if (nodes.Count == 0)
        {
            throw new DockerfileException(
                "file with no instructions",
                "a Dockerfile needs at least a FROM instruction").At(_fileName, 0, 0);
        }
        return new DockerfileAst(_fileName, nodes, Escape, _directives.Found, _warnings);
    }

    private Node? ReadInstruction()
    {
        var startLine = _next + 1;
        var first = TrimNewline(TakeLine()).TrimStart();
        _directives.Scan(first, startLine);
        var column = ColumnOf(_lines[startLine - 1]);
        var (text, continues) = TrimContinuation(IsComment(first) ? "" : first);
        if (!continues && text.Length == 0)
        {
            return null;
        }

        var logical = new StringBuilder(text);
        var emptyContinuation = false;
        while (continues && _next < _lines.Count)
        {
            var raw = TrimNewline(TakeLine());
            if (IsComment(raw))
            {
                continue;
            }
            if (raw.TrimStart().Length == 0)
            {
                emptyContinuation = true;
                continue;
            }
            (text, continues) = TrimContinuation(raw);
            logical.Append(text);
        }
        var line = logical.ToString();
        if (emptyContinuation)
        {
            _warnings.Add(new ParserWarning("Empty continuation line found in: " + line, _next));
        }

        Node node;
        try
        {
            node = NodeFactory.FromLine(line, Escape);
        }
        catch (DockerfileException e) when (!e.HasLocation)
        {
            throw e.At(_fileName, startLine, column);
        }
        if (CanContainHeredoc(node) && line.Contains("<<", StringComparison.Ordinal))
        {
            node = node with { Heredocs = ReadHeredocs(line, startLine, column) };
        }
        return node with { StartLine = startLine, EndLine = _next, StartColumn = column };
    }

    private List<Heredoc> ReadHeredocs(string line, int startLine, int column)
    {
        List<Heredoc> markers;
        try
        {
            markers = HeredocParser.FromLine(line);
        }
        catch (DockerfileException e) when (!e.HasLocation)
        {
            throw e.At(_fileName, startLine, column);
        }
        var result = new List<Heredoc>(markers.Count);
        foreach (var marker in markers)
        {
            var body = new StringBuilder();
            var terminated = false;
            while (_next < _lines.Count)
            {
                var raw = TakeLine();
                var candidate = TrimNewline(raw);
                if (marker.Chomp)
                {
                    candidate = candidate.TrimStart('\t');
                }
                if (candidate == marker.Name)
                {
                    terminated = true;
                    break;
                }
                body.Append(raw);
            }
            if (!terminated)
            {
                throw new DockerfileException(
                    "unterminated heredoc",
                    $"end the here-document with a line containing only {marker.Name}").At(_fileName, startLine, column);
            }
            result.Add(marker with { Content = body.ToString() });
        }
        return result;
    }

    // Heredocs belong to RUN, COPY and ADD in shell form, also when ONBUILD wraps them.
    private static bool CanContainHeredoc(Node node)
    {
        if (node.Keyword == Keywords.Onbuild && node.Trigger is not null)
        {
            node = node.Trigger;
        }
        return node.Keyword is Keywords.Run or Keywords.Copy or Keywords.Add && !node.IsJson;
    }

    private string TakeLine()
    {
        var raw = _lines[_next++];
        if (raw.Length > MaxLineBytes / 3 && Encoding.UTF8.GetByteCount(TrimNewline(raw)) > MaxLineBytes)
        {
            throw new DockerfileException(
                $"dockerfile line greater than max allowed size of {MaxLineBytes}",
                "split the line with the escape character at its end").At(_fileName, _next, 1);
        }
        return raw;
    }

    // A continuation is the escape character at the end of the line (trailing spaces and tabs
    // allowed) unless another escape character precedes it. The escape and the blanks go; the
    // character before stays.
    private (string Text, bool Continues) TrimContinuation(string line)
    {
        var end = line.Length;
        while (end > 0 && line[end - 1] is ' ' or '\t')
        {
            end--;
        }
        if (end == 0 || line[end - 1] != Escape)
        {
            return (line, false);
        }
        var escapeAt = end - 1;
        if (escapeAt > 0 && line[escapeAt - 1] == Escape)
        {
            return (line, false);
        }
        return (line[..escapeAt], true);
    }

    private static bool IsComment(string line) => line.TrimStart().StartsWith('#');

    private static string TrimNewline(string raw) => raw.TrimEnd('\r', '\n');

    private static int ColumnOf(string raw) => raw.Length - raw.TrimStart().Length + 1;

    // Physical lines, each keeping its "\n" so heredoc bodies come out exactly as written.
    private static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        var start = 0;
        while (start < text.Length)
        {
            var newline = text.IndexOf('\n', start);
            var end = newline < 0 ? text.Length : newline + 1;
            lines.Add(text[start..end]);
            start = end;
        }
        return lines;
    }
}
