namespace Drydock.Foundation.GoFormats;

/// <summary>
/// Go's <c>time.ParseDuration</c> (HEALTHCHECK takes Go durations: <c>30s</c>, <c>1m30s</c>,
/// <c>1.5h</c>, <c>500ms</c>), in nanoseconds as Docker's image config stores them; kaniko's
/// duration flags take the same syntax.
/// </summary>
public static class GoDuration
{
    private static readonly Dictionary<string, ulong> Units = new(StringComparer.Ordinal)
    {
        ["ns"] = 1,
        ["us"] = 1_000,
        ["\u00b5s"] = 1_000, // micro sign
        ["\u03bcs"] = 1_000, // Greek mu
        ["ms"] = 1_000_000,
        ["s"] = 1_000_000_000,
        ["m"] = 60_000_000_000,
        ["h"] = 3_600_000_000_000,
    };

    private const ulong Limit = 1UL << 63;

    /// <exception cref="GoFormatException">Not a Go duration, or out of range.</exception>
    public static long ParseNanoseconds(string text)
    {
        var s = text;
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s == "0")
        {
            return 0;
        }
        if (s.Length == 0)
        {
            throw Invalid(text);
        }
        ulong total = 0;
        while (s.Length > 0)
        {
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0])))
            {
                throw Invalid(text);
            }
            var before = s.Length;
            var whole = LeadingInt(ref s, text);
            var hasWhole = s.Length != before;

            ulong fraction = 0;
            var scale = 1.0;
            var hasFraction = false;
            if (s.Length > 0 && s[0] == '.')
            {
                s = s[1..];
                before = s.Length;
                (fraction, scale) = LeadingFraction(ref s);
                hasFraction = s.Length != before;
            }
            if (!hasWhole && !hasFraction)
            {
                throw Invalid(text);
            }

            var unitEnd = 0;
            while (unitEnd < s.Length && s[unitEnd] != '.' && !char.IsAsciiDigit(s[unitEnd]))
            {
                unitEnd++;
            }
            if (unitEnd == 0)
            {
                throw new GoFormatException($"time: missing unit in duration {GoStrings.Quote(text)}");
            }
            var unitName = s[..unitEnd];
            s = s[unitEnd..];
            if (!Units.TryGetValue(unitName, out var unit))
            {
                throw new GoFormatException(
                    $"time: unknown unit {GoStrings.Quote(unitName)} in duration {GoStrings.Quote(text)}",
                    "valid units are ns, us, ms, s, m, h");
            }
            if (whole > Limit / unit)
            {
                throw Invalid(text);
            }
            var value = whole * unit;
            if (fraction > 0)
            {
                // Go computes the fraction in floating point too; this keeps the same rounding.
                value += (ulong)(fraction * (unit / scale));
                if (value > Limit)
                {
                    throw Invalid(text);
                }
            }
            total += value;
            if (total > Limit)
            {
                throw Invalid(text);
            }
        }
        if (negative)
        {
            return total == Limit ? long.MinValue : -(long)total;
        }
        return total > long.MaxValue ? throw Invalid(text) : (long)total;
    }

    private static ulong LeadingInt(ref string s, string text)
    {
        ulong x = 0;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (x > Limit / 10)
            {
                throw Invalid(text);
            }
            x = (x * 10) + (ulong)(s[i] - '0');
            if (x > Limit)
            {
                throw Invalid(text);
            }
        }
        s = s[i..];
        return x;
    }

    private static (ulong Fraction, double Scale) LeadingFraction(ref string s)
    {
        ulong x = 0;
        var scale = 1.0;
        var overflow = false;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (overflow)
            {
                continue;
            }
            if (x > (Limit - 1) / 10)
            {
                // Further digits cannot matter at nanosecond precision.
                overflow = true;
                continue;
            }
            var y = (x * 10) + (ulong)(s[i] - '0');
            if (y > Limit)
            {
                overflow = true;
                continue;
            }
            x = y;
            scale *= 10;
        }
        s = s[i..];
        return (x, scale);
    }

    private static GoFormatException Invalid(string text) =>
        new($"time: invalid duration {GoStrings.Quote(text)}", "use a Go duration such as 30s, 1m30s or 500ms");
}
