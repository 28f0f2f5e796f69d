namespace Drydock.Native;

/// <summary>
/// A file timestamp with nanosecond precision (DateTimeOffset only keeps 100 ns ticks, and layer
/// digests must not depend on that rounding).
/// </summary>
public readonly record struct FileTime(long Seconds, int Nanoseconds) : IComparable<FileTime>
{
    private const long NanosecondsPerTick = 100;

    public static FileTime FromDateTimeOffset(DateTimeOffset value)
    {
        var ticks = value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        if (rest < 0)
        {
            seconds--;
            rest += TimeSpan.TicksPerSecond;
        }

        return new FileTime(seconds, (int)(rest * NanosecondsPerTick));
    }

    public DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.UnixEpoch.AddTicks((Seconds * TimeSpan.TicksPerSecond) + (Nanoseconds / NanosecondsPerTick));

    /// <summary>
    /// Parses a PAX time value such as <c>1700000000.123456789</c> or <c>-1.5</c>; digits past
    /// nanoseconds are dropped.
    /// </summary>
    public static bool TryParsePax(string? text, out FileTime time)
    {
        time = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var negative = text[0] == '-';
        var body = negative || text[0] == '+' ? text.AsSpan(1) : text.AsSpan();
        var dot = body.IndexOf('.');
        var whole = dot < 0 ? body : body[..dot];
        var fraction = dot < 0 ? [] : body[(dot + 1)..];
        if (whole.IsEmpty || !long.TryParse(whole, System.Globalization.NumberStyles.None, null, out var seconds))
        {
            return false;
        }

        long nanos = 0;
        for (var i = 0; i < 9; i++)
        {
            var digit = i < fraction.Length ? fraction[i] - '0' : 0;
            if (digit is < 0 or > 9)
            {
                return false;
            }

            nanos = (nanos * 10) + digit;
        }

        foreach (var c in fraction.Length > 9 ? fraction[9..] : [])
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        if (negative)
        {
            seconds = -seconds;
            if (nanos > 0)
            {
                seconds--;
                nanos = 1_000_000_000 - nanos;
            }
        }

        time = new FileTime(seconds, (int)nanos);
        return true;
    }

    /// <summary>The PAX text of this time: seconds, then a fraction without trailing zeros.</summary>
    public string ToPaxString()
    {
        if (Nanoseconds == 0)
        {
            return Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // A negative time with a fraction is written as -(|s| - 1).(1e9 - ns), the usual decimal value.
        var (sign, whole, nanos) = Seconds < 0 ? ("-", -(Seconds + 1), 1_000_000_000 - Nanoseconds) : ("", Seconds, Nanoseconds);
        var fraction = nanos.ToString("D9", System.Globalization.CultureInfo.InvariantCulture).TrimEnd('0');
        return $"{sign}{whole}.{fraction}";
    }

    public int CompareTo(FileTime other) =>
        Seconds != other.Seconds ? Seconds.CompareTo(other.Seconds) : Nanoseconds.CompareTo(other.Nanoseconds);
}
