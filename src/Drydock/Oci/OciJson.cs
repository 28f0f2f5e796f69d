using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drydock.Oci;

/// <summary>Source-generated JSON for every OCI document (no reflection, AOT-friendly).</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(DigestJsonConverter), typeof(TimestampJsonConverter)])]
[JsonSerializable(typeof(Manifest))]
[JsonSerializable(typeof(ImageIndex))]
[JsonSerializable(typeof(ImageConfig))]
public sealed partial class OciJson : JsonSerializerContext
{
    public static byte[] Serialize(Manifest manifest) => JsonSerializer.SerializeToUtf8Bytes(manifest, Plain.Context.Manifest);

    public static byte[] Serialize(ImageIndex index) => JsonSerializer.SerializeToUtf8Bytes(index, Plain.Context.ImageIndex);

    public static byte[] Serialize(ImageConfig config) => JsonSerializer.SerializeToUtf8Bytes(config, Plain.Context.ImageConfig);

    public static Manifest ReadManifest(ReadOnlySpan<byte> json) => Read(json, Default.Manifest, "image manifest");

    public static ImageIndex ReadIndex(ReadOnlySpan<byte> json) => Read(json, Default.ImageIndex, "image index");

    public static ImageConfig ReadConfig(ReadOnlySpan<byte> json) => Read(json, Default.ImageConfig, "image config");

    private static T Read<T>(ReadOnlySpan<byte> json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new InvalidDataException($"The {what} is empty (null).");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The {what} is not valid JSON: {e.Message}", e);
        }
    }

    // The default encoder writes '+' in media types as \u002B and non-ASCII labels as escapes; the
    // documents other tools write (and people read) have them as plain UTF-8. A nested class, so
    // that it is made after the generated statics it copies.
    private static class Plain
    {
        public static readonly OciJson Context = new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
