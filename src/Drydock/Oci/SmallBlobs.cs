namespace Drydock.Oci;

/// <summary>
/// Reads the small documents of an image (manifests, indexes, configs) whole, through a
/// <see cref="VerifyingStream"/>, refusing one larger than a bound before reading it.
/// </summary>
public static class SmallBlobs
{
    /// <summary>The distribution spec's suggested manifest size limit.</summary>
    public const long MaxManifestSize = 4 * 1024 * 1024;

    /// <summary>Configs are small; a larger one is refused rather than read into memory.</summary>
    public const long MaxConfigSize = 64L * 1024 * 1024;

    /// <summary>Reads <paramref name="source"/> (the blob <paramref name="descriptor"/> names) whole, verified; disposes it.</summary>
    public static async Task<byte[]> ReadVerifiedAsync(Stream source, Descriptor descriptor, long limit, string what, CancellationToken cancellationToken)
    {
        var verifying = new VerifyingStream(source, descriptor.Digest, descriptor.Size, what);
        await using (verifying.ConfigureAwait(false))
        {
            if (descriptor.Size < 0 || descriptor.Size > limit)
            {
                throw new InvalidDataException($"{what} is said to be {descriptor.Size} bytes; at most {limit} are accepted.");
            }

            var buffer = new MemoryStream((int)descriptor.Size);
            await verifying.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
    }

    /// <summary>Parses a document read from <paramref name="where"/>, naming it in the error.</summary>
    public static T Parse<T>(Func<T> read, string where)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{where}: {e.Message}", e);
        }
    }
}
