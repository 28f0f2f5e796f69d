using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>
/// Writes into an OCI image layout by hand: blobs named by their digest and tags in index.json.
/// For images whose layers must stay byte for byte as another tool wrote them (umoci repack would
/// rewrite them) and for images made from another image's parts.
/// </summary>
public static class OciLayout
{
    public const string IndexMediaType = "application/vnd.oci.image.index.v1+json";
    public const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
    public const string ConfigMediaType = "application/vnd.oci.image.config.v1+json";
    public const string GzipLayerMediaType = "application/vnd.oci.image.layer.v1.tar+gzip";

    private const string RefName = "org.opencontainers.image.ref.name";

    /// <summary>Writes <paramref name="bytes"/> as a blob and returns its descriptor.</summary>
    public static async Task<JsonObject> WriteBlobAsync(string layout, string mediaType, byte[] bytes)
    {
        var hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
        await File.WriteAllBytesAsync(BlobPath(layout, "sha256:" + hex), bytes);
        return Descriptor(mediaType, hex, bytes.Length);
    }

    public static Task<JsonObject> WriteJsonBlobAsync(string layout, string mediaType, JsonNode json) =>
        WriteBlobAsync(layout, mediaType, Encoding.UTF8.GetBytes(json.ToJsonString()));

    /// <summary>Gzips a tar file into a layer blob; returns its descriptor and diff ID (the tar's digest).</summary>
    public static async Task<(JsonObject Descriptor, string DiffId)> WriteGzipLayerAsync(string layout, string tarPath)
    {
        var staging = Path.Combine(layout, "blobs", "sha256", "staging-" + Guid.NewGuid().ToString("N"));
        string diffId;
        await using (var tar = File.OpenRead(tarPath))
        {
            diffId = "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(tar));
            tar.Position = 0;
            await using var output = File.Create(staging);
            await using var gzip = new GZipStream(output, CompressionLevel.Optimal);
            await tar.CopyToAsync(gzip);
        }

        string hex;
        await using (var blob = File.OpenRead(staging))
        {
            hex = Convert.ToHexStringLower(await SHA256.HashDataAsync(blob));
        }

        File.Move(staging, BlobPath(layout, "sha256:" + hex), overwrite: true);
        return (Descriptor(GzipLayerMediaType, hex, new FileInfo(BlobPath(layout, "sha256:" + hex)).Length), diffId);
    }

    /// <summary>Writes the config and an OCI manifest of it and <paramref name="layers"/>, tagged <paramref name="tag"/>.</summary>
    public static async Task<JsonObject> WriteImageAsync(string layout, string tag, JsonNode config, IEnumerable<JsonNode> layers)
    {
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = ManifestMediaType,
            ["config"] = await WriteJsonBlobAsync(layout, ConfigMediaType, config),
            ["layers"] = new JsonArray([.. layers.Select(l => l.DeepClone())]),
        };
        var descriptor = await WriteJsonBlobAsync(layout, ManifestMediaType, manifest);
        await TagAsync(layout, tag, descriptor);
        return descriptor;
    }

    /// <summary>Points <paramref name="tag"/> at <paramref name="descriptor"/> in index.json.</summary>
    public static async Task TagAsync(string layout, string tag, JsonObject descriptor)
    {
        var indexPath = Path.Combine(layout, "index.json");
        var index = JsonNode.Parse(await File.ReadAllTextAsync(indexPath))!;
        if (index["manifests"] is not JsonArray manifests)
        {
            manifests = []; // umoci init writes "manifests": null
            index["manifests"] = manifests;
        }

        foreach (var old in manifests.Where(m => (string?)m!["annotations"]?[RefName] == tag).ToArray())
        {
            manifests.Remove(old);
        }

        var entry = (JsonObject)descriptor.DeepClone();
        entry["annotations"] = new JsonObject { [RefName] = tag };
        manifests.Add(entry);
        await File.WriteAllTextAsync(indexPath, index.ToJsonString());
    }

    /// <summary>The index.json entry of a tag.</summary>
    public static async Task<JsonNode> TaggedAsync(string layout, string tag)
    {
        var index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json")))!;
        return index["manifests"]!.AsArray().Single(m => (string?)m!["annotations"]?[RefName] == tag)!;
    }

    /// <summary>A blob parsed as JSON.</summary>
    public static async Task<JsonNode> ReadJsonAsync(string layout, string digest) =>
        JsonNode.Parse(await File.ReadAllTextAsync(BlobPath(layout, digest)))!;

    public static string BlobPath(string layout, string digest)
    {
        var parts = digest.Split(':', 2);
        return Path.Combine(layout, "blobs", parts[0], parts[1]);
    }

    private static JsonObject Descriptor(string mediaType, string hex, long size) =>
        new() { ["mediaType"] = mediaType, ["digest"] = "sha256:" + hex, ["size"] = size };
}
