using System.Text;

namespace Drydock.Dockerfile.Shell;

/// <summary>
/// Accumulates the word-split view of an expansion. Unquoted text and unquoted expansion results
/// split on whitespace; quoted text and escaped characters never split; empty words never appear.
/// </summary>
internal sealed class WordCollector
{
    private readonly List<string> _words = [];
    private readonly StringBuilder _word = new();
    private bool _inWord;

    public void AddUnquoted(int ch)
    {
        if (Rune.IsWhiteSpace(new Rune(ch)))
        {
            if (_inWord && _word.Length > 0)
            {
                _words.Add(_word.ToString());
                _word.Clear();
                _inWord = false;
            }
            return;
        }
        AddLiteral(ch);
    }

    public void AddLiteral(int ch)
    {
        CodePoints.Append(_word, ch);
        _inWord = true;
    }

    public void AddUnquoted(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            AddUnquoted(rune.Value);
        }
    }

    public void AddQuoted(string text)
    {
        _word.Append(text);
        _inWord = true;
    }

    public List<string> Finish()
    {
        if (_word.Length > 0)
        {
            _words.Add(_word.ToString());
            _word.Clear();
            _inWord = false;
        }
        return _words;
    }
}
