namespace Drydock.Context.Buckets;

/// <summary>
/// Why a bucket object could not be downloaded, and which setting fixes it, in one line that never
/// holds a credential. The caller adds which context it was.
/// </summary>
public sealed class BucketDownloadException : Exception
{
    public BucketDownloadException(string message)
        : base(message)
    {
    }

    public BucketDownloadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
