using Drydock.Oci;

namespace Drydock.Registry;

/// <summary>A manifest or index as the registry sent it: the exact bytes, their media type and digest.</summary>
public sealed record RegistryManifest(ReadOnlyMemory<byte> Bytes, string MediaType, Digest Digest)
{
    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    /// <summary>A descriptor of this document, as an index would list it.</summary>
    public Descriptor ToDescriptor() => new() { MediaType = MediaType, Digest = Digest, Size = Bytes.Length };
}
