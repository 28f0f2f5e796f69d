using Drydock.Oci;

namespace Drydock.Layers;

/// <summary>How <see cref="LayerWriter"/> writes a layer.</summary>
public sealed record LayerWriteOptions
{
    public static LayerWriteOptions Default { get; } = new();

    /// <summary>Gzip (default) or none; zstd is not supported yet.</summary>
    public LayerCompression Compression { get; init; } = LayerCompression.Gzip;

    /// <summary>Gzip level 0 (store) to 9 (smallest).</summary>
    public int GzipLevel { get; init; } = LayerCompressionStreams.DefaultGzipLevel;

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
