using System.Diagnostics.CodeAnalysis;

namespace Drydock.Context.Buckets;

/// <summary>
/// A build context kept as one archive object in a cloud bucket (kaniko's <c>s3://</c>, <c>gs://</c>
/// and Azure Blob contexts). Parsing needs no credentials; they are looked up when downloading.
/// </summary>
public abstract record BucketObject
{
    /// <summary>The object kaniko reads when a bucket URL names no object.</summary>
    internal const string DefaultObjectName = "context.tar.gz";

    /// <summary>
    /// Whether <paramref name="text"/> names a bucket object: <c>s3://</c>, <c>gs://</c>, or an https URL
    /// on an Azure Blob host. Other text (a directory, another URL) is left to other context kinds.
    /// </summary>
    /// <exception cref="BucketDownloadException">It has a bucket's form but names no bucket or container.</exception>
    public static bool TryParse(string text, [NotNullWhen(true)] out BucketObject? parsed)
    {
        ArgumentNullException.ThrowIfNull(text);
        return S3BucketObject.TryParseUrl(text, out parsed) || GcsObject.TryParseUrl(text, out parsed) || AzureBlobObject.TryParseUrl(text, out parsed);
    }

    /// <summary>The URL as the user wrote it, with any secret in it hidden: what messages name.</summary>
    public abstract string Display { get; }

    /// <summary>
    /// Streams the object into <paramref name="destination"/>, taking credentials and endpoints from
    /// <paramref name="environment"/> (variable name to value, null when unset).
    /// </summary>
    /// <exception cref="BucketDownloadException">The object could not be read; the message says why and how to fix it.</exception>
    internal abstract Task DownloadAsync(Stream destination, Func<string, string?> environment, CancellationToken cancellationToken);
}
