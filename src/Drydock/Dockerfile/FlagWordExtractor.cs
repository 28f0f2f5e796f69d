using System.Text;

namespace Drydock.Dockerfile;

/// <summary>
/// Takes the leading <c>--flag</c> words off an instruction's arguments, for every keyword. Quotes
/// are removed and the escape character applies inside flag words; a bare <c>--</c> ends the flags
/// and is dropped. Validating the flags is left to the instruction stage.
/// </summary>
internal static class FlagWordExtractor
{
    public static (List<string> Flags, string Remainder) Extract(string line, char escape)
    {
        var flags = new List<string>();
        var word = new StringBuilder();
        var blankOk = false;
        var quote = '\0';
        var state = State.BetweenWords;

        for (var pos = 0; pos <= line.Length; pos++)
        {
            var atEnd = pos == line.Length;
            var ch = atEnd ? '\0' : line[pos];
            if (state == State.BetweenWords)
            {
                if (atEnd)
                {
                    break;
                }
                if (char.IsWhiteSpace(ch))
                {
                    continue;
                }
                if (ch != '-' || pos + 1 == line.Length || line[pos + 1] != '-')
                {
                    return (flags, line[pos..]);
                }
                state = State.InWord;
            }
            if (atEnd)
            {
                if (!IsTerminator(word) && (blankOk || word.Length > 0))
                {
                    flags.Add(word.ToString());
                }
                break;
            }
            if (state == State.InWord)
            {
                if (char.IsWhiteSpace(ch))
                {
                    state = State.BetweenWords;
                    if (IsTerminator(word))
                    {
                        return (flags, line[pos..]);
                    }
                    if (blankOk || word.Length > 0)
                    {
                        flags.Add(word.ToString());
                    }
                    word.Clear();
                    blankOk = false;
                    continue;
                }
                if (ch is '\'' or '"')
                {
                    quote = ch;
                    blankOk = true;
                    state = State.InQuote;
                    continue;
                }
                if (ch == escape)
                {
                    if (pos + 1 == line.Length)
                    {
                        continue;
                    }
                    ch = line[++pos];
                }
                word.Append(ch);
                continue;
            }
            // In quotes: unlike the ENV/ARG splitter, the escape works inside single quotes too.
            if (ch == quote)
            {
                state = State.InWord;
                continue;
            }
            if (ch == escape)
            {
                if (pos + 1 == line.Length)
                {
                    state = State.InWord;
                    continue;
                }
                ch = line[++pos];
            }
            word.Append(ch);
        }
        return (flags, "");
    }

    private static bool IsTerminator(StringBuilder word) => word.Length == 2 && word[0] == '-' && word[1] == '-';

    private enum State
    {
        BetweenWords,
        InWord,
        InQuote,
    }
}
