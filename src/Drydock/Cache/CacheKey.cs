using System.Text;
using Drydock.Oci;

namespace Drydock.Cache;

/// <summary>
/// The key of one step's cache entry: named parts in a fixed order (the key before it, the
/// instruction, what the step can see), digested together. The parts are kept, not only the
/// digest, so that a miss can say which one differs from the nearest entry.
/// </summary>
/// <remarks>
/// A part's value is either shown as it is (the instruction, which the image's history shows
/// anyway, a digest) or only as a digest of it (build argument values): no part ever holds a value
/// that could be a secret.
/// </remarks>
public sealed class CacheKey
{
    /// <summary>The part naming the key this one builds on: the step before, or the stage's base.</summary>
    public const string ParentPart = "parent";

    /// <summary>The part naming the image (or stage) the chain of keys started from.</summary>
    public const string BasePart = "base";

    /// <summary>The part holding the instruction after expansion.</summary>
    public const string InstructionPart = "instruction";

    /// <summary>The part holding the digest of every source a COPY or ADD reads.</summary>
    public const string SourcesPart = "sources";

    /// <summary>Parts named with this prefix hold a build argument's value, digested.</summary>
    public const string ArgumentPrefix = "arg:";

    public CacheKey(IReadOnlyList<CacheKeyPart> parts, SourceDigest? sources = null)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count() != parts.Count)
        {
            throw new ArgumentException("every part of a cache key needs its own name", nameof(parts));
        }

        Parts = parts;
        Sources = sources;
        var text = new StringBuilder();
        foreach (var part in parts)
        {
            // Lengths first, so no two lists of parts can run together into the same text.
            text.Append(part.Name.Length).Append(':').Append(part.Name).Append(part.Value.Length).Append(':').Append(part.Value).Append('\n');
        }

        Digest = Digest.Sha256(Encoding.UTF8.GetBytes(text.ToString()));
    }

    public IReadOnlyList<CacheKeyPart> Parts { get; }

    /// <summary>The files a COPY or ADD reads, one by one, stored with the entry to name a changed file later; null for other steps.</summary>
    public SourceDigest? Sources { get; }

    public Digest Digest { get; }

    /// <summary>The key this one builds on, when it has one.</summary>
    public string? Parent => Parts.FirstOrDefault(p => p.Name == ParentPart)?.Value;

    /// <summary>The tag an entry of this key is stored under: what it builds on, then the key, so entries after one step can be listed together.</summary>
    public string Tag => CacheTags.For(Parent, Digest);

    /// <summary>A value shown as its digest: what a build argument holds, say.</summary>
    public static string Hidden(string value) => Digest.Sha256(Encoding.UTF8.GetBytes(value)).ToString();
}

/// <summary>One named part of a <see cref="CacheKey"/>.</summary>
public sealed record CacheKeyPart(string Name, string Value);
