namespace Drydock.Cache;

/// <summary>
/// What the cache directory answered for an image: the image, or why it could not be used, so a
/// build can say why it asked the registry after all.
/// </summary>
/// <param name="Hit">The image, when the directory holds a usable copy.</param>
/// <param name="Miss">Why no copy was used (null on a hit).</param>
/// <param name="ExpiredSince">When the newest copy of an expired tag was warmed; null unless that was the reason.</param>
public sealed record BaseImageLookup(CachedBaseImage? Hit, string? Miss, DateTimeOffset? ExpiredSince = null)
{
    public static BaseImageLookup Found(CachedBaseImage image) => new(image, null);

    public static BaseImageLookup Missed(string reason, DateTimeOffset? expiredSince = null) => new(null, reason, expiredSince);
}
