using System.Text.Json;
using System.Text.Json.Serialization;

namespace Drydock.Oci;

/// <summary>
/// The image configuration blob (OCI image config / Docker image JSON). Fields Drydock does not
/// model are kept in <see cref="Extra"/> so a base image's config survives a rebuild unchanged.
/// </summary>
public sealed record ImageConfig
{
    [JsonPropertyName("created")]
    public Timestamp? Created { get; init; }

    [JsonPropertyName("author")]
    public string? Author { get; init; }

    [JsonPropertyName("architecture")]
    public string Architecture { get; init; } = "amd64";

    [JsonPropertyName("os")]
    public string Os { get; init; } = "linux";

    [JsonPropertyName("variant")]
    public string? Variant { get; init; }

    [JsonPropertyName("config")]
    public ContainerConfig Config { get; init; } = new();

    [JsonPropertyName("rootfs")]
    public RootFs RootFs { get; init; } = new();

    [JsonPropertyName("history")]
    public IReadOnlyList<HistoryEntry> History { get; init; } = [];

    // Settable: System.Text.Json's source generator cannot fill init-only extension data.
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>The layer diffIDs of an image config.</summary>
public sealed record RootFs
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "layers";

    [JsonPropertyName("diff_ids")]
    public IReadOnlyList<Digest> DiffIds { get; init; } = [];
}

/// <summary>One history entry; <see cref="EmptyLayer"/> marks instructions that made no layer.</summary>
public sealed record HistoryEntry
{
    [JsonPropertyName("created")]
    public Timestamp? Created { get; init; }

    [JsonPropertyName("created_by")]
    public string? CreatedBy { get; init; }

    [JsonPropertyName("author")]
    public string? Author { get; init; }

    [JsonPropertyName("comment")]
    public string? Comment { get; init; }

    [JsonPropertyName("empty_layer")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool EmptyLayer { get; init; }

    // Settable: System.Text.Json's source generator cannot fill init-only extension data.
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
