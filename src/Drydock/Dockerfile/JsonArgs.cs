using System.Text;
using System.Text.Json;

namespace Drydock.Dockerfile;

/// <summary>
/// Exec-form detection: does the rest of a line start with a JSON array of strings? Mirrors Go's
/// json.Decoder as kaniko's parser (BuildKit before Dockerfile frontend 1.10) uses it: the first
/// JSON value is decoded and whatever follows it is ignored, so <c>CMD ["a"] # note</c> is the
/// exec form ["a"]. Invalid JSON means "shell form", but valid JSON with a non-string element is
/// an error, and lone surrogate escapes decode to U+FFFD.
/// </summary>
internal static class JsonArgs
{
    private const int GoMaxDepth = 10000;

    public static bool TryParse(string rest, out IReadOnlyList<string> values)
    {
        values = [];
        rest = rest.TrimStart();
        if (!rest.StartsWith('['))
        {
            return false;
        }
        var bytes = Encoding.UTF8.GetBytes(rest);
        var elements = new List<string>();
        var nonString = false;
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = GoMaxDepth });
        try
        {
            while (reader.Read())
            {
                // The array just closed: stop before the reader looks at what follows it.
                if (reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == 0)
                {
                    break;
                }
                if (reader.CurrentDepth != 1 || reader.TokenType is JsonTokenType.EndArray or JsonTokenType.EndObject)
                {
                    continue;
                }
                if (reader.TokenType == JsonTokenType.String)
                {
                    // One contiguous buffer: a token is never split across segments.
                    elements.Add(Unescape(reader.ValueSpan));
                }
                else
                {
                    nonString = true;
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }
        if (nonString)
        {
            throw new DockerfileException(
                "when using JSON array syntax, arrays must be comprised of strings only",
                "write every element as a quoted string, e.g. [\"echo\", \"1\"]");
        }
        values = elements;
        return true;
    }

    // Go decodes escapes itself; doing the same keeps lone surrogates (which .NET refuses) working.
    private static string Unescape(ReadOnlySpan<byte> raw)
    {
        var text = Encoding.UTF8.GetString(raw);
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            c = text[++i];
            switch (c)
            {
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    var unit = ReadHex4(text, i + 1);
                    i += 4;
                    if (!char.IsSurrogate(unit))
                    {
                        sb.Append(unit);
                    }
                    else if (char.IsHighSurrogate(unit) && i + 6 < text.Length && text[i + 1] == '\\'
                        && text[i + 2] == 'u' && char.IsLowSurrogate(ReadHex4(text, i + 3)))
                    {
                        sb.Append(unit).Append(ReadHex4(text, i + 3));
                        i += 6;
                    }
                    else
                    {
                        sb.Append('\uFFFD');
                    }
                    break;
                default: sb.Append(c); break; // \" \\ \/
            }
        }
        return sb.ToString();
    }

    private static char ReadHex4(string text, int at) =>
        (char)Convert.ToInt32(text.Substring(at, 4), 16);
}
