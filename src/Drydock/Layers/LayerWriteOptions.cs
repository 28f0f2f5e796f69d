using Drydock.Oci;

namespace Drydock.Layers;

/// <summary>How <see cref="LayerWriter"/> writes a layer.</summary>
public sealed record LayerWriteOptions
{
    public static LayerWriteOptions Default { get; } = new();

    /// <summary>Gzip (default), zstd (the OCI <c>tar+zstd</c> media type) or none.</summary>
    public LayerCompression Compression { get; init; } = LayerCompression.Gzip;

    /// <summary>
    /// The compressor's level: gzip 0 (store) to 9 (smallest), zstd -7 (fastest) to 19 (smallest);
    /// null takes the compressor's default (gzip 6, zstd 3).
    /// </summary>
    public int? CompressionLevel { get; init; }

    /// <summary>
    /// Clear every timestamp to <see cref="SourceDateEpoch"/> (or 0), so the same files give the same
    /// digest whenever they are written.
    /// </summary>
    public bool Reproducible { get; init; }

    /// <summary>The time, in Unix seconds, used for all entries in reproducible mode (SOURCE_DATE_EPOCH).</summary>
    public long? SourceDateEpoch { get; init; }

    /// <summary>Keep nanoseconds of mtimes (each such entry then carries a PAX header).</summary>
    public bool SubsecondTimes { get; init; } = true;

    /// <summary>Told about entries skipped or shortened (a file vanished, a socket, an unwritable xattr).</summary>
    public Action<string>? Warn { get; init; }
}

/// <summary>The digests of a written layer: the tar's (diffID) and the compressed blob's, and the blob size.</summary>
public sealed record LayerWriteResult(Digest DiffId, Digest Digest, long Size);
