using Drydock.Reference;

namespace Drydock.Oci;

/// <summary>Picks the manifest for a platform out of an image index or manifest list.</summary>
public static class PlatformSelector
{
    /// <summary>
    /// The entry made for <paramref name="platform"/>, or null. An exact variant wins; for 32-bit arm
    /// an older variant runs too (v7 runs v6 and v5), and for a platform without a variant the
    /// entry without one is preferred. Attestation entries (<c>unknown/unknown</c>) never match.
    /// </summary>
    public static Descriptor? Select(ImageIndex index, Platform platform)
    {
        var candidates = index.Manifests
            .Where(m => m.Platform is not null && (m.MediaType is null || MediaTypes.IsManifest(m.MediaType)))
            .Select(m => (Manifest: m, Platform: Platform.Create(m.Platform!.Os, m.Platform.Architecture, m.Platform.Variant)))
            .Where(c => c.Platform.Os == platform.Os && c.Platform.Architecture == platform.Architecture)
            .ToArray();

        return candidates
            .Select(c => (c.Manifest, Rank: Rank(platform, c.Platform)))
            .Where(c => c.Rank >= 0)
            .OrderBy(c => c.Rank)
            .Select(c => c.Manifest)
            .FirstOrDefault();
    }

    /// <summary>The platforms an index offers, to name them when none fits.</summary>
    public static IReadOnlyList<string> PlatformsOf(ImageIndex index) =>
        index.Manifests
            .Where(m => m.Platform is not null && m.Platform.Os != "unknown")
            .Select(m => Platform.Create(m.Platform!.Os, m.Platform.Architecture, m.Platform.Variant).ToString())
            .Distinct()
            .ToArray();

    /// <summary>0 is a perfect fit, higher is worse, negative does not run.</summary>
    private static int Rank(Platform wanted, Platform offered)
    {
        if (wanted.Variant == offered.Variant)
        {
            return 0;
        }

        if (wanted.Variant is null)
        {
            return 1;
        }

        if (wanted.Architecture == "arm" && ArmLevel(offered.Variant) is { } offeredLevel && ArmLevel(wanted.Variant) is { } wantedLevel && offeredLevel < wantedLevel)
        {
            return 1 + wantedLevel - offeredLevel;
        }

        return -1;
    }

    private static int? ArmLevel(string? variant) =>
        variant is ['v', .. var digits] && int.TryParse(digits, out var level) ? level : null;
}
