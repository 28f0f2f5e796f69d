namespace Drydock.Dockerfile;

/// <summary>
/// The two argument splitters of BuildKit's line parser. Neither removes quotes or escapes: that
/// is left to the shell lexer when the value is expanded.
/// </summary>
internal static class WordSplitter
{
    /// <summary>Splits on runs of space, tab, CR, VT and FF (not other Unicode spaces).</summary>
    public static List<string> SplitWhitespace(string text, int maxParts = int.MaxValue)
    {
        var parts = new List<string>();
        var start = 0;
        var i = 0;
        while (i < text.Length && parts.Count < maxParts - 1)
        {
            if (!IsSeparator(text[i]))
            {
                i++;
                continue;
            }
            parts.Add(text[start..i]);
            while (i < text.Length && IsSeparator(text[i]))
            {
                i++;
            }
            start = i;
        }
        parts.Add(text[start..]);
        return parts;
    }

    public static bool IsSeparator(char c) => c is ' ' or '\t' or '\r' or '\v' or '\f';

    /// <summary>
    /// The quote-aware splitter of ENV, LABEL and ARG: whitespace outside quotes separates words;
    /// quotes, and an escape with the character after it, stay in the word. Inside single quotes
    /// the escape character is ordinary. An escape at the very end is dropped; <c>''</c> is a word.
    /// </summary>
    public static List<string> SplitQuoted(string text, char escape)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        var blankOk = false;
        var quote = '\0';
        var inQuote = false;
        var inWord = false;

        void EndWord()
        {
            if (blankOk || word.Length > 0)
            {
                words.Add(word.ToString());
            }
            word.Clear();
            blankOk = false;
            inWord = false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (!inWord)
            {
                if (char.IsWhiteSpace(ch))
                {
                    continue;
                }
                inWord = true;
            }
            if (!inQuote)
            {
                if (char.IsWhiteSpace(ch))
                {
                    EndWord();
                    continue;
                }
                if (ch is '\'' or '"')
                {
                    quote = ch;
                    blankOk = true;
                    inQuote = true;
                }
                if (ch == escape)
                {
                    if (i + 1 == text.Length)
                    {
                        continue;
                    }
                    word.Append(ch);
                    ch = text[++i];
                }
                word.Append(ch);
                continue;
            }
            if (ch == quote)
            {
                inQuote = false;
            }
            if (ch == escape && quote != '\'')
            {
                if (i + 1 == text.Length)
                {
                    inQuote = false;
                    continue;
                }
                word.Append(ch);
                ch = text[++i];
            }
            word.Append(ch);
        }
        if (inWord)
        {
            EndWord();
        }
        return words;
    }
}
