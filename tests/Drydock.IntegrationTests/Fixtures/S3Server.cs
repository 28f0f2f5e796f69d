using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>
/// An S3-compatible store (s3rver from npm) on 127.0.0.1, one per test run
/// (<c>[Collection(BucketCollections.S3)]</c>), path-style only, with one bucket. It checks the
/// access key ids against its one account, so an unknown key is refused as S3 refuses it (it does
/// not verify SigV4 signatures, so a wrong secret goes unnoticed here).
/// </summary>
public sealed class S3Server : IAsyncLifetime
{
    public const string Bucket = "drydock-contexts";

    /// <summary>s3rver's built-in account.</summary>
    public const string AccessKeyId = "S3RVER";
    public const string SecretAccessKey = "S3RVER";

    private readonly TempDirectory _data = new("drydock-s3rver-");
    private NodeServerProcess? _server;

    public string Endpoint => $"http://127.0.0.1:{Server.Port}";

    private NodeServerProcess Server => _server ?? throw new InvalidOperationException("s3rver has not been started.");

    /// <summary>The variables kaniko's S3 contexts read, pointing at this server with its account.</summary>
    public Dictionary<string, string?> Environment() => new()
    {
        ["AWS_ACCESS_KEY_ID"] = AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = SecretAccessKey,
        ["AWS_REGION"] = "us-east-1",
        ["S3_ENDPOINT"] = Endpoint,
        ["S3_FORCE_PATH_STYLE"] = "true",
    };

    /// <summary>Stores <paramref name="file"/> under <paramref name="key"/> in <see cref="Bucket"/>.</summary>
    public async Task PutAsync(string key, string file)
    {
        // s3rver stores aws-chunked bodies as sent: upload plainly, as older SDKs did.
        var config = new AmazonS3Config
        {
            ServiceURL = Endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        };
        using var client = new AmazonS3Client(new BasicAWSCredentials(AccessKeyId, SecretAccessKey), config);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, FilePath = file, UseChunkEncoding = false });
    }

    public async Task InitializeAsync() =>
        _server = await NodeServerProcess.StartAsync("s3rver", port =>
            ["--directory", _data.Path, "--address", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--silent", "--no-vhost-buckets", "--configure-bucket", Bucket]);

    public Task DisposeAsync()
    {
        _server?.Dispose();
        _data.Dispose();
        return Task.CompletedTask;
    }
}
