using System.Diagnostics.CodeAnalysis;
using Drydock.Context.Buckets;

namespace Drydock.Context;

/// <summary>
/// Build contexts kept in a bucket (<c>s3://</c>, <c>gs://</c>, Azure Blob URLs): recognises them and
/// downloads the archive to a local file, which then opens as a tar context. Failures end as one
/// <see cref="BuildContextException"/> line naming the context (secrets hidden), the cause and the fix.
/// </summary>
public static class BucketContext
{
    private const int BufferSize = 128 * 1024;

    /// <summary>Whether <paramref name="text"/> (what <c>--context</c> says) names a bucket object.</summary>
    /// <exception cref="BuildContextException">It has a bucket's form but names no bucket or container.</exception>
    public static bool TryParse(string text, [NotNullWhen(true)] out BucketObject? bucketObject)
    {
        try
        {
            return BucketObject.TryParse(text, out bucketObject);
        }
        catch (BucketDownloadException e)
        {
            throw new BuildContextException($"The build context {text.Split('?')[0]} is not a bucket URL Drydock can read: {e.Message}", e);
        }
    }

    /// <summary>
    /// Streams the object to <paramref name="destinationFile"/> (created or replaced; deleted again on
    /// failure), with credentials and endpoints from <paramref name="environment"/>.
    /// </summary>
    /// <exception cref="BuildContextException">The object could not be read: missing, refused, or unreachable.</exception>
    public static async Task DownloadAsync(BucketObject bucketObject, string destinationFile, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bucketObject);
        try
        {
            var file = new FileStream(destinationFile, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                await bucketObject.DownloadAsync(file, environment, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            File.Delete(destinationFile);
            if (e is BucketDownloadException)
            {
                throw new BuildContextException($"Cannot download the build context {bucketObject.Display}: {e.Message}", e);
            }

            throw;
        }
    }
}
