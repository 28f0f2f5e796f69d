namespace Drydock.Oci;

/// <summary>
/// One image whatever its source. The raw bytes are what is pushed or saved, so the digest of an
/// image read from somewhere is never changed by re-serialising it.
/// </summary>
public interface IImage
{
    Manifest Manifest { get; }

    ReadOnlyMemory<byte> RawManifest { get; }

    /// <summary>The media type of the manifest (OCI or Docker v2 schema 2).</summary>
    string MediaType { get; }

    Digest ManifestDigest { get; }

    ImageConfig Config { get; }

    ReadOnlyMemory<byte> RawConfig { get; }

    IReadOnlyList<ILayer> Layers { get; }
}
