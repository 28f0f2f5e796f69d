using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drydock.Oci;

/// <summary>
/// Writes times as RFC 3339 in UTC with a "Z" and no trailing zeros in the fraction, the form
/// Go's time package writes, so configs read the same as those of other builders.
/// </summary>
public sealed class TimestampJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString() ?? throw new JsonException("Expected a timestamp."), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
}
