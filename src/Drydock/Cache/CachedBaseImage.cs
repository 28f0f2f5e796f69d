using Drydock.Oci;

namespace Drydock.Cache;

/// <summary>A base image found in the cache directory, its layers read from there, and when it was warmed.</summary>
public sealed record CachedBaseImage(IImage Image, DateTimeOffset Warmed);
