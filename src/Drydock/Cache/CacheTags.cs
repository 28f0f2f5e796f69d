using Drydock.Oci;

namespace Drydock.Cache;

/// <summary>
/// How entries are tagged in the cache repository: the first hex digits of the key they build on,
/// then their own key. A lookup knows both, so it is one manifest request; explaining a miss lists
/// the tags and finds, by the prefix, the entries that followed the same step.
/// </summary>
public static class CacheTags
{
    private const int ParentDigits = 16;

    public static string For(string? parent, Digest key) => PrefixOf(parent) + key.Hex;

    /// <summary>The prefix of every tag whose key builds on <paramref name="parent"/>.</summary>
    public static string PrefixOf(string? parent) =>
        parent is not null && Digest.TryParse(parent, out var digest) ? digest.Hex[..ParentDigits] + "-" : "root-";

    /// <summary>Whether a tag is one of ours.</summary>
    public static bool IsEntry(string tag) => tag.Length > 64 && tag[^65] == '-';
}
