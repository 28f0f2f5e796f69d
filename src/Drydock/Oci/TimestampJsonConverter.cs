using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drydock.Oci;

/// <summary>Reads and writes a <see cref="Timestamp"/> as its text, unchanged.</summary>
public sealed class TimestampJsonConverter : JsonConverter<Timestamp>
{
    public override Timestamp Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        try
        {
            return Timestamp.Parse(reader.GetString() ?? throw new JsonException("Expected a timestamp."));
        }
        catch (FormatException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, Timestamp value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Text);
}
