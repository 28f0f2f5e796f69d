using System.Globalization;

namespace Drydock.Oci;

/// <summary>
/// An RFC 3339 time as it appears in an image config. The text is kept as read: configs from other
/// builders carry nanoseconds, which DateTimeOffset would round, and a base image's history must
/// come out exactly as it went in.
/// </summary>
public readonly record struct Timestamp
{
    private Timestamp(string text) => Text = text;

    public string Text { get; }

    public static Timestamp Parse(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)
            ? new Timestamp(text)
            : throw new FormatException($"'{text}' is not an RFC 3339 time.");

    /// <summary>In UTC with a "Z" and no trailing zeros in the fraction, the form Go writes.</summary>
    public static Timestamp From(DateTimeOffset value) =>
        new(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));

    public override string ToString() => Text;
}
