using System.Text;
using Drydock.Foundation.GoFormats;

namespace Drydock.Dockerfile.Shell;

/// <summary>
/// One expansion of one word: a hand-written scanner over code points that follows BuildKit's
/// lexer step by step, quirks included, so the same Dockerfile expands to the same text.
/// </summary>
internal sealed class ShellWordProcessor
{
    private const int Eof = -1;
    private const char Bom = '\uFEFF';

    private readonly ShellLexer _lexer;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly string _source;
    private readonly int[] _chars;
    private readonly HashSet<string> _matched = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unmatched = new(StringComparer.Ordinal);
    private int _pos;
    private bool _rawEscapes;

    public ShellWordProcessor(ShellLexer lexer, string source, IReadOnlyDictionary<string, string> environment)
    {
        _lexer = lexer;
        _source = source;
        _environment = environment;
        _chars = CodePoints.Of(source);
        // Go's text/scanner silently drops a byte-order mark at the very start.
        _pos = _chars.Length > 0 && _chars[0] == Bom ? 1 : 0;
        _rawEscapes = lexer.RawEscapes;
    }

    public ShellExpansion Run()
    {
        try
        {
            var (text, words) = ProcessStopOn(Eof, _lexer.RawEscapes);
            return new ShellExpansion(text, words, _matched, _unmatched);
        }
        catch (ShellSyntaxException e)
        {
            throw new DockerfileException($"failed to process {GoStrings.Quote(_source)}: {e.Message}");
        }
    }

    private int Peek() => _pos < _chars.Length ? _chars[_pos] : Eof;

    private int Next() => _pos < _chars.Length ? _chars[_pos++] : Eof;

    // Reads until stopChar (consumed) or the end of input. The escape mode applies to this span
    // only: pattern words need their backslashes, the enclosing word may not.
    private (string Text, List<string> Words) ProcessStopOn(int stopChar, bool rawEscapes)
    {
        var saved = _rawEscapes;
        _rawEscapes = rawEscapes;
        try
        {
            var result = new StringBuilder();
            var words = new WordCollector();
            while (Peek() != Eof)
            {
                var ch = Peek();
                if (stopChar != Eof && ch == stopChar)
                {
                    Next();
                    return (result.ToString(), words.Finish());
                }
                if (ch == '$')
                {
                    var value = ProcessDollar();
                    result.Append(value);
                    words.AddUnquoted(value);
                    continue;
                }
                if (!_lexer.SkipProcessQuotes && ch is '\'' or '"')
                {
                    var value = ch == '\'' ? ProcessSingleQuote() : ProcessDoubleQuote();
                    result.Append(value);
                    words.AddQuoted(value);
                    continue;
                }

                ch = Next();
                if (ch == _lexer.EscapeChar)
                {
                    if (_rawEscapes)
                    {
                        words.AddLiteral(ch);
                        CodePoints.Append(result, ch);
                    }
                    ch = Next();
                    if (ch == Eof)
                    {
                        // A lone escape at the end is dropped.
                        break;
                    }
                    words.AddLiteral(ch);
                }
                else
                {
                    words.AddUnquoted(ch);
                }
                CodePoints.Append(result, ch);
            }
            if (stopChar != Eof)
            {
                throw new ShellSyntaxException(
                    $"unexpected end of statement while looking for matching {CodePoints.ToText(stopChar)}");
            }
            return (result.ToString(), words.Finish());
        }
        finally
        {
            _rawEscapes = saved;
        }
    }

    private string ProcessSingleQuote()
    {
        // Everything up to the next ' is literal; a single quote cannot be escaped inside.
        var result = new StringBuilder();
        var ch = Next();
        if (_lexer.RawQuotes)
        {
            CodePoints.Append(result, ch);
        }
        while (true)
        {
            ch = Next();
            if (ch == Eof)
            {
                throw new ShellSyntaxException("unexpected end of statement while looking for matching single-quote");
            }
            if (ch == '\'')
            {
                if (_lexer.RawQuotes)
                {
                    CodePoints.Append(result, ch);
                }
                return result.ToString();
            }
            CodePoints.Append(result, ch);
        }
    }

    private string ProcessDoubleQuote()
    {
        // $ still expands; the escape character only escapes ", $ and itself, and stays otherwise.
        var result = new StringBuilder();
        var ch = Next();
        if (_lexer.RawQuotes)
        {
            CodePoints.Append(result, ch);
        }
        while (true)
        {
            switch (Peek())
            {
                case Eof:
                    throw new ShellSyntaxException("unexpected end of statement while looking for matching double-quote");
                case '"':
                    ch = Next();
                    if (_lexer.RawQuotes)
                    {
                        CodePoints.Append(result, ch);
                    }
                    return result.ToString();
                case '$':
                    result.Append(ProcessDollar());
                    break;
                default:
                    ch = Next();
                    if (ch == _lexer.EscapeChar)
                    {
                        if (_rawEscapes)
                        {
                            CodePoints.Append(result, ch);
                        }
                        var next = Peek();
                        if (next == Eof)
                        {
                            continue;
                        }
                        if (next == '"' || next == '$' || next == _lexer.EscapeChar)
                        {
                            ch = Next();
                        }
                    }
                    CodePoints.Append(result, ch);
                    break;
            }
        }
    }

    private string ProcessDollar()
    {
        Next();
        if (Peek() != '{')
        {
            var bare = ProcessName();
            if (bare.Length == 0)
            {
                return "$";
            }
            var (bareValue, found) = Lookup(bare);
            return !found && _lexer.SkipUnsetEnv ? "$" + bare : bareValue;
        }

        Next();
        switch (Peek())
        {
            case Eof:
                throw new ShellSyntaxException("syntax error: missing '}'");
            case '{' or '}' or ':':
                throw new ShellSyntaxException("syntax error: bad substitution");
        }
        var name = ProcessName();
        var ch = Next();
        var modifier = ch == Eof ? "\uFFFD" : CodePoints.ToText(ch);
        switch (ch)
        {
            case '}':
                var (value, set) = Lookup(name);
                return !set && _lexer.SkipUnsetEnv ? "${" + name + "}" : value;
            case ':':
                ch = Next();
                modifier += ch == Eof ? "\uFFFD" : CodePoints.ToText(ch);
                return ProcessModifier(name, ch, modifier, nullIsUnset: true);
            case '+' or '-' or '?' or '#' or '%':
                return ProcessModifier(name, ch, modifier, nullIsUnset: false);
            case '/':
                return ProcessReplacement(name);
            default:
                throw new ShellSyntaxException($"unsupported modifier ({modifier}) in substitution");
        }
    }

    private string ProcessModifier(string name, int op, string modifier, bool nullIsUnset)
    {
        var isPattern = op is '#' or '%';
        if (nullIsUnset && isPattern)
        {
            throw new ShellSyntaxException($"unsupported modifier ({modifier}) in substitution");
        }
        var word = ReadUntil('}', rawEscapes: isPattern, "syntax error: missing '}'");

        var (value, set) = Lookup(name);
        if (_lexer.SkipUnsetEnv && !set)
        {
            return "${" + name + modifier + word + "}";
        }
        var unsetOrNull = !set || (nullIsUnset && value.Length == 0);
        switch (op)
        {
            case '-':
                return unsetOrNull ? word : value;
            case '+':
                return unsetOrNull ? "" : word;
            case '?':
                if (!set)
                {
                    throw new ShellSyntaxException($"{name}: {(word.Length > 0 ? word : "is not allowed to be unset")}");
                }
                if (unsetOrNull)
                {
                    throw new ShellSyntaxException($"{name}: {(word.Length > 0 ? word : "is not allowed to be empty")}");
                }
                return value;
            case '#' or '%':
                // A doubled operator (## or %%) asks for the longest match.
                var greedy = word.Length > 0 && word[0] == op;
                if (greedy)
                {
                    word = word[1..];
                }
                return op == '%'
                    ? ShellPattern.TrimSuffix(word, value, greedy)
                    : ShellPattern.TrimPrefix(word, value, greedy);
            default:
                throw new ShellSyntaxException($"unsupported modifier ({modifier}) in substitution");
        }
    }

    private string ProcessReplacement(string name)
    {
        var all = Peek() == '/';
        if (all)
        {
            Next();
        }
        var pattern = ReadUntil('/', rawEscapes: true, "syntax error: missing '/' in ${}");
        var replacement = ReadUntil('}', rawEscapes: true, "syntax error: missing '}'");

        var (value, set) = Lookup(name);
        if (_lexer.SkipUnsetEnv && !set)
        {
            return "${" + name + "/" + pattern + "/" + replacement + "}";
        }
        return ShellPattern.Replace(value, pattern, replacement, all);
    }

    // A nested span that ran off the end of the input is reported as the missing delimiter.
    private string ReadUntil(char stopChar, bool rawEscapes, string missingMessage)
    {
        try
        {
            return ProcessStopOn(stopChar, rawEscapes).Text;
        }
        catch (ShellSyntaxException) when (Peek() == Eof)
        {
            throw new ShellSyntaxException(missingMessage);
        }
    }

    private string ProcessName()
    {
        // A name is letters, digits and '_'; a leading digit starts a positional parameter (all
        // digits), and one special character is a special parameter. Both are never set.
        var name = new StringBuilder();
        while (Peek() != Eof)
        {
            var ch = Peek();
            if (name.Length == 0 && IsDigit(ch))
            {
                while (Peek() != Eof && IsDigit(Peek()))
                {
                    CodePoints.Append(name, Next());
                }
                return name.ToString();
            }
            if (name.Length == 0 && IsSpecialParameter(ch))
            {
                Next();
                return CodePoints.ToText(ch);
            }
            if (!IsLetter(ch) && !IsDigit(ch) && ch != '_')
            {
                break;
            }
            CodePoints.Append(name, Next());
        }
        return name.ToString();
    }

    private (string Value, bool Found) Lookup(string name)
    {
        if (_environment.TryGetValue(name, out var value))
        {
            _matched.Add(name);
            return (value, true);
        }
        _unmatched.Add(name);
        return ("", false);
    }

    private static bool IsSpecialParameter(int ch) => ch is '@' or '*' or '#' or '?' or '-' or '$' or '!' or '0';

    private static bool IsDigit(int ch) => Rune.IsDigit(new Rune(ch));

    private static bool IsLetter(int ch) => Rune.IsLetter(new Rune(ch));
}
