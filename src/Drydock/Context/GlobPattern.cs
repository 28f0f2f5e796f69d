using System.Text;

namespace Drydock.Context;

/// <summary>
/// A compiled Go <c>filepath.Match</c> pattern, optionally with Docker's <c>**</c> extension.
/// <para>
/// Syntax (Go's): <c>*</c> is any run of non-'/' characters, <c>?</c> one non-'/' character,
/// <c>[...]</c> a class of characters and <c>lo-hi</c> ranges negated by a leading <c>^</c> (a
/// leading <c>!</c> is an ordinary member, as in Go and Docker), and <c>\</c> makes the next
/// character literal. With <paramref name="doubleStar"/> (the .dockerignore dialect),
/// <c>**</c> — and <c>**/</c> — matches any number of whole directories, and a trailing
/// <c>**</c> matches everything, as Docker's patternmatcher translates them.
/// </para>
/// <para>
/// Matching runs as a set-of-states simulation over runes, linear in the path length, so no
/// pattern can make it backtrack exponentially.
/// </para>
/// </summary>
internal sealed class GlobPattern
{
    private readonly Token[] _tokens;

    // Set when the pattern is plain text: then matching is one string comparison, which is the
    // common case for .dockerignore lines such as "node_modules" or ".git".
    private readonly string? _literal;

    private GlobPattern(Token[] tokens)
    {
        _tokens = tokens;
        if (tokens.All(t => t.Kind == TokenKind.Literal))
        {
            var text = new StringBuilder();
            foreach (var token in tokens)
            {
                text.Append(token.Rune.ToString());
            }

            _literal = text.ToString();
        }
    }

    /// <summary>Compiles <paramref name="pattern"/>, or explains why Go would reject it (ErrBadPattern).</summary>
    public static bool TryParse(string pattern, bool doubleStar, out GlobPattern? glob, out string? error)
    {
        glob = null;
        var tokens = new List<Token>();
        var runes = pattern.EnumerateRunes().ToArray();
        var i = 0;
        while (i < runes.Length)
        {
            var c = runes[i].Value;
            switch (c)
            {
                case '*' when doubleStar && i + 1 < runes.Length && runes[i + 1].Value == '*':
                    i += 2;
                    // Docker reads "**/" as "**": the slash belongs to the star.
                    if (i < runes.Length && runes[i].Value == '/')
                    {
                        i++;
                    }

                    if (i == runes.Length)
                    {
                        tokens.Add(new Token(TokenKind.AnyPath));
                    }
                    else
                    {
                        // "(.*/)?" takes two states: one that may skip the group, and one inside
                        // it that may only leave right after a '/'.
                        tokens.Add(new Token(TokenKind.DirectoriesStart));
                        tokens.Add(new Token(TokenKind.DirectoriesInside));
                    }

                    continue;
                case '*':
                    tokens.Add(new Token(TokenKind.Star));
                    i++;
                    continue;
                case '?':
                    tokens.Add(new Token(TokenKind.AnyOne));
                    i++;
                    continue;
                case '\\':
                    if (i + 1 == runes.Length)
                    {
                        error = "a trailing '\\' escapes nothing";
                        return false;
                    }

                    tokens.Add(Token.Of(runes[i + 1]));
                    i += 2;
                    continue;
                case '[':
                    if (!TryParseClass(runes, ref i, out var token, out error))
                    {
                        return false;
                    }

                    tokens.Add(token);
                    continue;
                default:
                    tokens.Add(Token.Of(runes[i]));
                    i++;
                    continue;
            }
        }

        glob = new GlobPattern([.. tokens]);
        error = null;
        return true;
    }

    /// <summary>Whether the whole of <paramref name="path"/> matches.</summary>
    public bool IsMatch(string path)
    {
        if (_literal is not null)
        {
            return string.Equals(path, _literal, StringComparison.Ordinal);
        }

        return Run(path, out var states) && states[_tokens.Length];
    }

    /// <summary>
    /// Whether some path that starts with <paramref name="prefix"/> could match: true when
    /// consuming the prefix leaves the pattern unfinished but alive. Used to decide whether a walk
    /// must look inside an excluded directory. It may answer true for a prefix no real path
    /// completes (that only costs a look), never false for one that does.
    /// </summary>
    public bool CanMatchWithPrefix(string prefix)
    {
        if (!Run(prefix, out var states))
        {
            return false;
        }

        for (var s = 0; s < _tokens.Length; s++)
        {
            if (states[s])
            {
                return true;
            }
        }

        return false;
    }

    // Simulates the pattern over the text; returns false as soon as no state is left alive.
    private bool Run(string text, out bool[] states)
    {
        var current = new bool[_tokens.Length + 1];
        var next = new bool[_tokens.Length + 1];
        Enter(current, 0);
        foreach (var rune in text.EnumerateRunes())
        {
            Array.Clear(next);
            for (var s = 0; s < _tokens.Length; s++)
            {
                if (!current[s])
                {
                    continue;
                }

                var token = _tokens[s];
                switch (token.Kind)
                {
                    case TokenKind.Star:
                        if (rune.Value != '/')
                        {
                            Enter(next, s);
                        }

                        break;
                    case TokenKind.AnyPath:
                        Enter(next, s);
                        break;
                    case TokenKind.DirectoriesStart:
                        // Consumes nothing; Enter already moved on from it.
                        break;
                    case TokenKind.DirectoriesInside:
                        Enter(next, s);
                        if (rune.Value == '/')
                        {
                            Enter(next, s + 1);
                        }

                        break;
                    default:
                        if (token.Matches(rune))
                        {
                            Enter(next, s + 1);
                        }

                        break;
                }
            }

            if (Array.IndexOf(next, true) < 0)
            {
                states = next;
                return false;
            }

            (current, next) = (next, current);
        }

        states = current;
        return true;
    }

    // Adds a state and everything reachable from it without consuming input: a star may match
    // nothing, and a "**/" group may be skipped whole.
    private void Enter(bool[] states, int state)
    {
        if (states[state])
        {
            return;
        }

        states[state] = true;
        if (state < _tokens.Length)
        {
            switch (_tokens[state].Kind)
            {
                case TokenKind.Star or TokenKind.AnyPath:
                    Enter(states, state + 1);
                    break;
                case TokenKind.DirectoriesStart:
                    Enter(states, state + 1);
                    Enter(states, state + 2);
                    break;
            }
        }
    }

    private static bool TryParseClass(Rune[] runes, ref int i, out Token token, out string? error)
    {
        token = default;
        var start = i;
        i++; // '['
        var negated = false;
        if (i < runes.Length && runes[i].Value == '^')
        {
            negated = true;
            i++;
        }

        var ranges = new List<(int Lo, int Hi)>();
        while (true)
        {
            if (i >= runes.Length)
            {
                error = $"character class at offset {start} is not closed with ']'";
                return false;
            }

            if (runes[i].Value == ']' && ranges.Count > 0)
            {
                i++;
                break;
            }

            if (!TryClassChar(runes, ref i, out var lo, out error))
            {
                return false;
            }

            var hi = lo;
            if (i < runes.Length && runes[i].Value == '-')
            {
                i++;
                if (!TryClassChar(runes, ref i, out hi, out error))
                {
                    return false;
                }

                // Go would silently match nothing; Docker's regex translation rejects it. Saying so
                // is kinder than a class that can never match.
                if (hi < lo)
                {
                    error = $"character class range '{char.ConvertFromUtf32(lo)}-{char.ConvertFromUtf32(hi)}' runs backwards";
                    return false;
                }
            }

            ranges.Add((lo, hi));
        }

        token = new Token(TokenKind.Class) { Negated = negated, Ranges = [.. ranges] };
        error = null;
        return true;
    }

    // One member of a class: any character but an unescaped '-' or ']' (Go's getEsc).
    private static bool TryClassChar(Rune[] runes, ref int i, out int value, out string? error)
    {
        value = 0;
        if (i >= runes.Length)
        {
            error = "character class is not closed with ']'";
            return false;
        }

        var c = runes[i].Value;
        if (c is '-' or ']')
        {
            error = c == ']'
                ? "character class is empty (write '\\]' for a literal ']')"
                : "'-' must be escaped ('\\-') where it does not form a range";
            return false;
        }

        if (c == '\\')
        {
            i++;
            if (i >= runes.Length)
            {
                error = "character class is not closed with ']'";
                return false;
            }

            c = runes[i].Value;
        }

        i++;
        value = c;
        error = null;
        return true;
    }

    private enum TokenKind
    {
        Literal,
        AnyOne,
        Class,
        Star,
        DirectoriesStart,
        DirectoriesInside,
        AnyPath,
    }

    private readonly record struct Token(TokenKind Kind)
    {
        public Rune Rune { get; init; }

        public bool Negated { get; init; }

        public (int Lo, int Hi)[]? Ranges { get; init; }

        public static Token Of(Rune rune) => new(TokenKind.Literal) { Rune = rune };

        public bool Matches(Rune rune)
        {
            switch (Kind)
            {
                case TokenKind.Literal:
                    return rune == Rune;
                case TokenKind.AnyOne:
                    return rune.Value != '/';
                case TokenKind.Class:
                    // As in Go and in Docker's regex, a class is not barred from matching '/'.
                    var inRange = false;
                    foreach (var (lo, hi) in Ranges!)
                    {
                        if (rune.Value >= lo && rune.Value <= hi)
                        {
                            inRange = true;
                            break;
                        }
                    }

                    return inRange != Negated;
                default:
                    return false;
            }
        }
    }
}
