using System.Globalization;
using System.Text.Json;
using Drydock.Oci;

namespace Drydock.Cache;

/// <summary>
/// The small image an entry is stored as: one layer (or none), a config whose history holds the
/// step's entry and which lists the step's source files, and manifest annotations carrying the
/// key's parts and what a hit needs (diffID, history, when it was made).
/// </summary>
public static class CacheEntryImage
{
    private const string Prefix = "dev.drydock.cache.";
    private const string CreatedAnnotation = "org.opencontainers.image.created";
    private const string CreatedByAnnotation = Prefix + "created-by";
    private const string HistoryCreatedAnnotation = Prefix + "history-created";
    private const string DiffIdAnnotation = Prefix + "diff-id";
    private const string PartPrefix = Prefix + "key.";
    private const string SourcesField = Prefix + "sources";

    /// <summary>The entry's image: its manifest (OCI), config and layer.</summary>
    public static Image Create(CacheKey key, ILayer? layer, HistoryEntry history, DateTimeOffset made, string os, string architecture)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(history);
        var stored = layer is null ? [] : new[] { Retyped(layer) };
        var config = new ImageConfig
        {
            Created = Timestamp.From(made),
            Os = os,
            Architecture = architecture,
            History = [history with { EmptyLayer = layer is null }],
            RootFs = new RootFs { DiffIds = stored.Select(l => l.DiffId).ToArray() },
            Extra = key.Sources is { } sources
                ? new Dictionary<string, JsonElement> { [SourcesField] = JsonSerializer.SerializeToElement(sources.Files.Select(f => new[] { f.Path, f.Digest.ToString() }).ToArray(), CacheJson.Default.StringArrayArray) }
                : null,
        };
        var rawConfig = OciJson.Serialize(config);
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [CreatedAnnotation] = Timestamp.From(made).Text,
            [CreatedByAnnotation] = history.CreatedBy ?? "",
        };
        if (history.Created is { } created)
        {
            annotations[HistoryCreatedAnnotation] = created.Text;
        }

        if (layer is not null)
        {
            annotations[DiffIdAnnotation] = layer.DiffId.ToString();
        }

        foreach (var part in key.Parts)
        {
            annotations[PartPrefix + part.Name] = part.Value;
        }

        var manifest = new Manifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = new Descriptor { MediaType = MediaTypes.OciConfig, Digest = Digest.Sha256(rawConfig), Size = rawConfig.Length },
            Layers = stored.Select(l => l.Descriptor).ToArray(),
            Annotations = annotations,
        };
        return Image.FromStored(manifest, OciJson.Serialize(manifest), MediaTypes.OciManifest, config, rawConfig, stored);
    }

    /// <summary>Reads an entry from its manifest; null when the manifest is not one of ours.</summary>
    public static CacheEntry? Read(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var annotations = manifest.Annotations ?? new Dictionary<string, string>();
        if (!annotations.TryGetValue(CreatedAnnotation, out var madeText) || !TryTime(madeText, out var made)
            || manifest.Layers.Count > 1
            || !annotations.TryGetValue(CreatedByAnnotation, out var createdBy))
        {
            return null;
        }

        (Descriptor, Digest)? layer = null;
        if (manifest.Layers.Count == 1)
        {
            if (!annotations.TryGetValue(DiffIdAnnotation, out var diffIdText) || !Digest.TryParse(diffIdText, out var diffId))
            {
                return null;
            }

            layer = (manifest.Layers[0], diffId);
        }

        var historyCreated = annotations.TryGetValue(HistoryCreatedAnnotation, out var text) && TryTime(text, out var time) ? time : (DateTimeOffset?)null;
        var parts = annotations.Where(a => a.Key.StartsWith(PartPrefix, StringComparison.Ordinal))
            .ToDictionary(a => a.Key[PartPrefix.Length..], a => a.Value, StringComparer.Ordinal);
        return new CacheEntry(layer, createdBy, historyCreated, made, parts, manifest.Config);
    }

    /// <summary>The source files an entry's config lists (empty for an entry of another step).</summary>
    public static IReadOnlyList<SourceFileDigest> SourcesOf(ImageConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Extra?.GetValueOrDefault(SourcesField) is not { ValueKind: JsonValueKind.Array } element)
        {
            return [];
        }

        var files = element.Deserialize(CacheJson.Default.StringArrayArray) ?? [];
        return files.Where(f => f.Length == 2 && Digest.TryParse(f[1], out _)).Select(f => new SourceFileDigest(f[0], Digest.Parse(f[1]))).ToArray();
    }

    /// <summary>Entries list layers under OCI media types, whatever the image they were made for uses.</summary>
    private static ILayer Retyped(ILayer layer)
    {
        var oci = MediaTypes.LayerType(docker: false, MediaTypes.CompressionOf(layer.Descriptor.MediaType));
        return oci == layer.Descriptor.MediaType ? layer : new RetypedLayer(layer, oci);
    }

    private static bool TryTime(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
}
