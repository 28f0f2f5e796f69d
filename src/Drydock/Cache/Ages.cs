using System.Globalization;

namespace Drydock.Cache;

/// <summary>A duration as a person reads it in a log line: "3 days", "5 hours", "12 minutes", "40 seconds".</summary>
internal static class Ages
{
    public static string Describe(TimeSpan span) => span switch
    {
        { TotalDays: >= 2 } => Count(span.TotalDays, "day"),
        { TotalHours: >= 2 } => Count(span.TotalHours, "hour"),
        { TotalMinutes: >= 2 } => Count(span.TotalMinutes, "minute"),
        _ => Count(Math.Max(0, span.TotalSeconds), "second"),
    };

    private static string Count(double value, string unit)
    {
        var whole = (long)Math.Floor(value);
        return whole.ToString(CultureInfo.InvariantCulture) + " " + unit + (whole == 1 ? "" : "s");
    }
}
