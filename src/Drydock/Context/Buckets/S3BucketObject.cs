using System.Diagnostics.CodeAnalysis;
using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Drydock.Context.Buckets;

/// <summary>
/// <c>s3://BUCKET/KEY</c>: an object in Amazon S3 or an S3-compatible store, read as kaniko reads it:
/// AWS's standard credential chain and region (<c>AWS_REGION</c>), and for other stores the endpoint
/// in <c>S3_ENDPOINT</c> with path-style addressing when <c>S3_FORCE_PATH_STYLE=true</c>.
/// </summary>
/// <remarks>
/// Keys given in <paramref name="environment"/> are used first; without them the SDK's own chain
/// (profiles, web identity, container and instance roles) applies, which reads the process's files
/// and environment itself.
/// </remarks>
public sealed record S3BucketObject(string Bucket, string Key, string Display) : BucketObject
{
    public const string Scheme = "s3://";

    public override string Display { get; } = Display;

    internal static bool TryParseUrl(string text, [NotNullWhen(true)] out BucketObject? parsed)
    {
        parsed = BucketUrl.TrySplit(text, Scheme, out var bucket, out var key) ? new S3BucketObject(bucket, key, text) : null;
        return parsed is not null;
    }

    internal override async Task DownloadAsync(Stream destination, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var endpoint = Value(environment, "S3_ENDPOINT");
        var region = Value(environment, "AWS_REGION") ?? Value(environment, "AWS_DEFAULT_REGION");
        var config = new AmazonS3Config { MaxErrorRetry = 2 };
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint;
            config.ForcePathStyle = string.Equals(Value(environment, "S3_FORCE_PATH_STYLE"), "true", StringComparison.OrdinalIgnoreCase);
            config.AuthenticationRegion = region ?? "us-east-1"; // S3-compatible stores mostly ignore it, but a signature needs one
        }
        else if (region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        try
        {
            using var client = Credentials(environment) is { } credentials ? new AmazonS3Client(credentials, config) : new AmazonS3Client(config);
            using var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = Key }, cancellationToken).ConfigureAwait(false);
            await response.ResponseStream.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new BucketDownloadException(e.ErrorCode == "NoSuchBucket"
                ? $"there is no bucket {Bucket} (404 NoSuchBucket); check the URL{(endpoint is null ? "" : " and S3_ENDPOINT")}"
                : $"there is no object {Key} in bucket {Bucket} (404 {e.ErrorCode}); check the URL (a bucket context names a .tar.gz object)", e);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            throw new BucketDownloadException(
                $"access denied ({(int)e.StatusCode} {e.ErrorCode}: {e.Message}); check the credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE) and their rights on the bucket", e);
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.MovedPermanently or HttpStatusCode.Redirect or HttpStatusCode.BadRequest && e.ErrorCode is "PermanentRedirect" or "AuthorizationHeaderMalformed")
        {
            throw new BucketDownloadException($"the bucket is in another region ({e.ErrorCode}); set AWS_REGION to the bucket's region", e);
        }
        catch (AmazonServiceException e) when (e.StatusCode != 0 && e.InnerException is not HttpRequestException)
        {
            throw new BucketDownloadException($"the store answered {(int)e.StatusCode} {e.ErrorCode}: {e.Message}", e);
        }
        catch (Exception e) when (NetworkFailure.IsUnreachable(e, cancellationToken))
        {
            throw new BucketDownloadException(
                $"cannot reach {(endpoint is null ? "S3" : endpoint)}: {NetworkFailure.Describe(e)}; check {(endpoint is null ? "the network and AWS_REGION" : "S3_ENDPOINT")}", e);
        }
        catch (AmazonClientException e)
        {
            throw new BucketDownloadException(
                $"{e.Message.TrimEnd('.')}; give credentials with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or an instance or pod role) and the region with AWS_REGION", e);
        }
    }

    private static AWSCredentials? Credentials(Func<string, string?> environment)
    {
        var id = Value(environment, "AWS_ACCESS_KEY_ID");
        var secret = Value(environment, "AWS_SECRET_ACCESS_KEY");
        if (id is null || secret is null)
        {
            return null;
        }

        return Value(environment, "AWS_SESSION_TOKEN") is { } token ? new SessionAWSCredentials(id, secret, token) : new BasicAWSCredentials(id, secret);
    }

    private static string? Value(Func<string, string?> environment, string name) => EnvironmentValues.Get(environment, name);
}
