namespace Drydock.Context.Buckets;

/// <summary>
/// Splits <c>SCHEME://BUCKET/OBJECT</c> as kaniko does (Go's url.Parse: host, then the unescaped
/// path without its leading slash; no object means kaniko's <c>context.tar.gz</c>).
/// </summary>
internal static class BucketUrl
{
    /// <summary>Whether <paramref name="text"/> starts with <paramref name="scheme"/> (e.g. <c>s3://</c>); if so, its bucket and object name.</summary>
    /// <exception cref="BucketDownloadException">The URL names no bucket.</exception>
    public static bool TrySplit(string text, string scheme, out string bucket, out string objectName)
    {
        bucket = objectName = "";
        if (!text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = text[scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        bucket = slash < 0 ? rest : rest[..slash];
        objectName = slash < 0 ? "" : Uri.UnescapeDataString(rest[(slash + 1)..]);
        if (bucket.Length == 0)
        {
            throw new BucketDownloadException($"the URL names no bucket; write {scheme}BUCKET/PATH/TO/CONTEXT.tar.gz");
        }

        if (objectName.Length == 0)
        {
            objectName = BucketObject.DefaultObjectName;
        }

        return true;
    }
}
