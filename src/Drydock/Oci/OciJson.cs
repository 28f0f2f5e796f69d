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
    public static byte[] Serialize(Manifest manifest) => JsonSerializer.SerializeToUtf8Bytes(manifest, Default.Manifest);

    public static byte[] Serialize(ImageIndex index) => JsonSerializer.SerializeToUtf8Bytes(index, Default.ImageIndex);

    public static byte[] Serialize(ImageConfig config) => JsonSerializer.SerializeToUtf8Bytes(config, Default.ImageConfig);

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
}
