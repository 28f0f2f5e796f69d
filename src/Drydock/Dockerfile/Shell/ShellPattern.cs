using System.Text;
using System.Text.RegularExpressions;

namespace Drydock.Dockerfile.Shell;

/// <summary>
/// The pattern side of <c>${x#p}</c>, <c>${x%p}</c> and <c>${x/p/r}</c>: shell wildcards (<c>*</c>,
/// <c>?</c>, no brackets) turned into a regular expression, with Go's leftmost-first matching and
/// Go's ReplaceAll rules reproduced.
/// </summary>
internal static class ShellPattern
{
    // One code point other than newline, like Go's "." over runes (a surrogate pair is one).
    private const string AnyChar = @"(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\n])";

    public static string TrimPrefix(string pattern, string value, bool greedy)
    {
        var match = Compile(pattern, greedy, anchored: true).Match(value);
        return match.Success ? value[(match.Index + match.Length)..] : value;
    }

    public static string TrimSuffix(string pattern, string value, bool greedy)
    {
        // A regex finds the shortest match leftmost, not rightmost: reverse both, trim, reverse back.
        var trimmed = TrimPrefix(ReversePattern(pattern), CodePoints.Reverse(value), greedy);
        return CodePoints.Reverse(trimmed);
    }

    public static string Replace(string value, string pattern, string replacement, bool all)
    {
        var regex = Compile(pattern, greedy: true, anchored: false);
        if (!all)
        {
            // The single replacement is inserted literally.
            var match = regex.Match(value);
            return match.Success
                ? string.Concat(value.AsSpan(0, match.Index), replacement, value.AsSpan(match.Index + match.Length))
                : value;
        }
        return ReplaceAll(regex, value, replacement);
    }

    private static Regex Compile(string pattern, bool greedy, bool anchored)
    {
        var star = AnyChar + (greedy ? "*" : "*?");
        var sb = new StringBuilder(anchored ? @"\A" : "");
        var points = CodePoints.Of(pattern);
        for (var i = 0; i < points.Length; i++)
        {
            var tok = points[i];
            switch (tok)
            {
                case '*':
                    sb.Append(star);
                    continue;
                case '?':
                    sb.Append(AnyChar);
                    continue;
                case '\\':
                    var next = i + 1 < points.Length ? points[i + 1] : -1;
                    if (next is '}' or '/')
                    {
                        // Escaped only to get through the ${…} syntax; not part of the pattern.
                        continue;
                    }
                    i++;
                    if (next is not ('*' or '?' or '\\'))
                    {
                        var shown = next < 0 ? "" : CodePoints.ToText(next);
                        throw new ShellSyntaxException($"invalid pattern ({pattern}) in substitution: invalid escape '\\{shown}'");
                    }
                    tok = next;
                    break;
            }
            sb.Append(Regex.Escape(CodePoints.ToText(tok)));
        }
        // NonBacktracking: linear time like Go's RE2, with the same leftmost-first matches.
        return new Regex(sb.ToString(), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
    }

    // Reverses a pattern while keeping each escape in front of the character it escapes.
    private static string ReversePattern(string pattern)
    {
        var points = CodePoints.Of(pattern);
        var last = points.Length - 1;
        var output = new int[points.Length];
        for (var i = 0; i <= last;)
        {
            var outIndex = last - i;
            if (points[i] == '\\' && i != last)
            {
                output[outIndex - 1] = points[i];
                output[outIndex] = points[i + 1];
                i += 2;
            }
            else
            {
                output[outIndex] = points[i];
                i++;
            }
        }
        return CodePoints.Concat(output);
    }

    // Go's Regexp.ReplaceAllString: an empty match right after a previous match is not replaced,
    // and the replacement is a template where $0 / ${0} is the match and $$ a dollar sign.
    private static string ReplaceAll(Regex regex, string value, string template)
    {
        var sb = new StringBuilder();
        var lastMatchEnd = 0;
        var searchPos = 0;
        while (searchPos <= value.Length)
        {
            var match = regex.Match(value, searchPos);
            if (!match.Success)
            {
                break;
            }
            var start = match.Index;
            var end = match.Index + match.Length;
            sb.Append(value, lastMatchEnd, start - lastMatchEnd);
            if (end > lastMatchEnd || start == 0)
            {
                AppendTemplate(sb, template, match.Value);
            }
            lastMatchEnd = end;

            var width = searchPos >= value.Length ? 0 : char.IsSurrogatePair(value, searchPos) ? 2 : 1;
            if (searchPos + width > end)
            {
                searchPos += width;
            }
            else if (searchPos + 1 > end)
            {
                searchPos++;
            }
            else
            {
                searchPos = end;
            }
        }
        sb.Append(value, lastMatchEnd, value.Length - lastMatchEnd);
        return sb.ToString();
    }

    private static void AppendTemplate(StringBuilder sb, string template, string match)
    {
        var i = 0;
        while (true)
        {
            var dollar = template.IndexOf('$', i);
            if (dollar < 0)
            {
                break;
            }
            sb.Append(template, i, dollar - i);
            i = dollar + 1;
            if (i < template.Length && template[i] == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }
            if (!TryReadGroupName(template, i, out var name, out var next))
            {
                sb.Append('$');
                continue;
            }
            i = next;
            // The pattern has no groups of its own: only group 0, the whole match, exists.
            if (name == "0")
            {
                sb.Append(match);
            }
        }
        sb.Append(template, i, template.Length - i);
    }

    private static bool TryReadGroupName(string template, int start, out string name, out int next)
    {
        name = "";
        next = start;
        var pos = start;
        var brace = pos < template.Length && template[pos] == '{';
        if (brace)
        {
            pos++;
        }
        var nameStart = pos;
        while (pos < template.Length)
        {
            var rune = Rune.GetRuneAt(template, pos);
            if (!Rune.IsLetter(rune) && !Rune.IsDigit(rune) && rune.Value != '_')
            {
                break;
            }
            pos += rune.Utf16SequenceLength;
        }
        if (pos == nameStart)
        {
            return false;
        }
        name = template[nameStart..pos];
        if (brace)
        {
            if (pos >= template.Length || template[pos] != '}')
            {
                return false;
            }
            pos++;
        }
        next = pos;
        return true;
    }
}
