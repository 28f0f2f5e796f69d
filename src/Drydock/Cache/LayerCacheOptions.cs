namespace Drydock.Cache;

/// <summary>
/// The layer cache of a build (kaniko's <c>--cache</c> family): where entries are looked up and
/// stored, which steps take part, and how long an entry stays valid.
/// </summary>
/// <param name="Repository">
/// Where entries live: a registry repository (<c>registry/name</c>), or <c>oci:DIR</c> for an OCI
/// image layout on disk. Null means the first destination's repository with <c>/cache</c> appended.
/// </param>
public sealed record LayerCacheOptions(string? Repository = null)
{
    /// <summary>The scheme that names an OCI image layout as the cache repository.</summary>
    public const string LayoutScheme = "oci:";

    /// <summary>kaniko's default: two weeks.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromDays(14);

    /// <summary>Whether RUN steps are cached (kaniko's <c>--cache-run-layers</c>, on by default).</summary>
    public bool RunLayers { get; init; } = true;

    /// <summary>Whether COPY and ADD steps are cached (kaniko's <c>--cache-copy-layers</c>, off by default).</summary>
    public bool CopyLayers { get; init; }

    /// <summary>Whether new entries are stored (kaniko's <c>--no-push-cache</c> turns it off).</summary>
    public bool Store { get; init; } = true;

    /// <summary>How old an entry may be, judged by the time it was made.</summary>
    public TimeSpan Ttl { get; init; } = DefaultTtl;
}
