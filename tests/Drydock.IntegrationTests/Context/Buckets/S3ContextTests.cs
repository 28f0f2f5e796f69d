namespace Drydock.IntegrationTests.Context.Buckets;

/// <summary>s3:// contexts against an S3-compatible server (s3rver) with path-style addressing and credentials from the environment.</summary>
[Collection(BucketCollections.S3)]
public sealed class S3ContextTests(S3Server s3) : IDisposable
{
    private readonly TempDirectory _work = new("drydock-s3-context-");

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task The_object_is_downloaded_byte_for_byte()
    {
        var archive = BucketDownload.CreateArchive(_work);
        await s3.PutAsync("app/context.tar.gz", archive);

        await BucketDownload.RunAsync($"s3://{S3Server.Bucket}/app/context.tar.gz", _work.Combine("context.tar.gz"), s3.Environment());

        Assert.Equal(await File.ReadAllBytesAsync(archive), await File.ReadAllBytesAsync(_work.Combine("context.tar.gz")));
    }

    [Fact]
    public async Task A_bucket_url_without_a_key_reads_kanikos_context_tar_gz()
    {
        var archive = BucketDownload.CreateArchive(_work);
        await s3.PutAsync("context.tar.gz", archive);

        await BucketDownload.RunAsync($"s3://{S3Server.Bucket}", _work.Combine("context.tar.gz"), s3.Environment());

        Assert.Equal(await File.ReadAllBytesAsync(archive), await File.ReadAllBytesAsync(_work.Combine("context.tar.gz")));
    }

    [Fact]
    public async Task A_missing_key_is_one_error_naming_the_url_and_the_key()
    {
        var url = $"s3://{S3Server.Bucket}/nowhere/context.tar.gz";
        var message = await BucketDownload.FailAsync(url, url, _work.Combine("context.tar.gz"), s3.Environment());

        Assert.Contains("no object nowhere/context.tar.gz", message, StringComparison.Ordinal);
        Assert.Contains("404", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_bucket_says_so()
    {
        var url = "s3://no-such-bucket/context.tar.gz";
        var message = await BucketDownload.FailAsync(url, url, _work.Combine("context.tar.gz"), s3.Environment());

        Assert.Contains("no bucket no-such-bucket", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_credential_is_refused_naming_the_variables_never_the_secret()
    {
        // s3rver checks the key id, not the SigV4 signature: an unknown key id stands for a wrong credential.
        var archive = BucketDownload.CreateArchive(_work);
        await s3.PutAsync("secret/context.tar.gz", archive);
        var environment = s3.Environment();
        environment["AWS_ACCESS_KEY_ID"] = "NOT-A-KEY";
        environment["AWS_SECRET_ACCESS_KEY"] = "wrong-secret-0123";
        var url = $"s3://{S3Server.Bucket}/secret/context.tar.gz";

        var message = await BucketDownload.FailAsync(url, url, _work.Combine("context.tar.gz"), environment);

        Assert.Contains("access denied (403", message, StringComparison.Ordinal);
        Assert.Contains("AWS_SECRET_ACCESS_KEY", message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret-0123", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_endpoint_names_it_and_S3_ENDPOINT()
    {
        using var gone = new RefusingPort();
        var environment = s3.Environment();
        environment["S3_ENDPOINT"] = $"http://{gone.Host}";
        var url = $"s3://{S3Server.Bucket}/context.tar.gz";

        var message = await BucketDownload.FailAsync(url, url, _work.Combine("context.tar.gz"), environment);

        Assert.Contains($"cannot reach http://{gone.Host}", message, StringComparison.Ordinal);
        Assert.Contains("check S3_ENDPOINT", message, StringComparison.Ordinal);
    }
}
