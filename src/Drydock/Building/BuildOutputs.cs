using Drydock.Reference;

namespace Drydock.Building;

/// <summary>Where a finished build goes, decided once before the build starts.</summary>
/// <param name="Destinations">The image's names: pushed to when <paramref name="Push"/>, and the tags of a tarball or layout.</param>
/// <param name="Push">The build's one push decision: whether the image goes to the registries of <paramref name="Destinations"/>.</param>
/// <param name="DockerArchivePath">A docker-archive tarball to write (one platform's image only), or null.</param>
/// <param name="OciLayoutPath">An OCI image layout to write the image or index into, or null.</param>
/// <param name="DigestFile">A file to write the final digest into, or null.</param>
internal sealed record BuildOutputs(IReadOnlyList<ImageReference> Destinations, bool Push, string? DockerArchivePath, string? OciLayoutPath, string? DigestFile)
{
    /// <summary>A file to write <c>REPOSITORY@DIGEST</c> of every destination into, or null.</summary>
    public string? ImageNameWithDigestFile { get; init; }

    /// <summary>A file to write <c>REPOSITORY:TAG@DIGEST</c> of every destination into, or null.</summary>
    public string? ImageNameTagWithDigestFile { get; init; }

    /// <summary>Whether every destination is checked to accept a push before the build starts.</summary>
    public bool CheckPushAccess { get; init; }

    /// <summary>Whether a registry's refusal to move an immutable tag is a warning rather than a failure.</summary>
    public bool IgnoreImmutableTags { get; init; }
}
