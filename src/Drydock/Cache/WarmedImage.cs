using Drydock.Reference;

namespace Drydock.Cache;

/// <summary>One image <see cref="BaseImageWarmer"/> saw to: the copy now in the directory, and whether it was pulled just now or already fresh there.</summary>
public sealed record WarmedImage(ImageReference Reference, Platform Platform, CachedBaseImage Cached, bool Pulled);
