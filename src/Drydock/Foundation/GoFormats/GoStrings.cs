using System.Globalization;
using System.Text;

namespace Drydock.Foundation.GoFormats;

/// <summary>
/// Go's <c>strconv.Quote</c>: BuildKit's AST dump and several of its messages quote strings this
/// way, and the conformance corpus compares the dump byte for byte.
/// </summary>
internal static class GoStrings
{
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsSurrogate(value[i]) && !char.IsSurrogatePair(value, i))
            {
                // A lone surrogate is not text; Go would only ever see its replacement.
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)value[i]:x4}");
                continue;
            }
            var rune = Rune.GetRuneAt(value, i);
            i += rune.Utf16SequenceLength - 1;
            AppendQuoted(sb, rune);
        }
        sb.Append('"');
        return sb.ToString();
    }

    private static void AppendQuoted(StringBuilder sb, Rune rune)
    {
        var v = rune.Value;
        switch (v)
        {
            case '"': sb.Append("\\\""); return;
            case '\\': sb.Append("\\\\"); return;
            case '\a': sb.Append("\\a"); return;
            case '\b': sb.Append("\\b"); return;
            case '\f': sb.Append("\\f"); return;
            case '\n': sb.Append("\\n"); return;
            case '\r': sb.Append("\\r"); return;
            case '\t': sb.Append("\\t"); return;
            case '\v': sb.Append("\\v"); return;
        }
        if (IsPrint(rune))
        {
            sb.Append(rune.ToString());
        }
        else if (v < ' ' || v == 0x7f)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\x{v:x2}");
        }
        else if (v < 0x10000)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\u{v:x4}");
        }
        else
        {
            sb.Append(CultureInfo.InvariantCulture, $"\\U{v:x8}");
        }
    }

    // Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    private static bool IsPrint(Rune rune)
    {
        if (rune.Value == ' ')
        {
            return true;
        }
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => true,
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => true,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
            UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
                or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
                or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation => true,
            UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
                or UnicodeCategory.OtherSymbol => true,
            _ => false,
        };
    }
}
