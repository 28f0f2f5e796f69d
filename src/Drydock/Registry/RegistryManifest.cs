using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry.Errors;

namespace Drydock.Registry;

/// <summary>A manifest or index as the registry sent it: the exact bytes, their media type and digest.</summary>
public sealed record RegistryManifest(ReadOnlyMemory<byte> Bytes, string MediaType, Digest Digest)
{
    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    /// <summary>A descriptor of this document, as an index would list it.</summary>
    public Descriptor ToDescriptor() => new() { MediaType = MediaType, Digest = Digest, Size = Bytes.Length };

    /// <summary>The document read as an image manifest; malformed content is an error naming <paramref name="reference"/>.</summary>
    public Manifest ReadManifest(ImageReference reference) => Read(() => OciJson.ReadManifest(Bytes.Span), reference);

    /// <summary>The document read as an index; malformed content is an error naming <paramref name="reference"/>.</summary>
    public ImageIndex ReadIndex(ImageReference reference) => Read(() => OciJson.ReadIndex(Bytes.Span), reference);

    internal static T Read<T>(Func<T> read, ImageReference reference)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e)
        {
            throw new RegistryException($"reading {reference}", e.Message, innerException: e);
        }
    }
}
