using Drydock.Context;
using Drydock.Context.Buckets;

namespace Drydock.Tests.Context.Buckets;

public sealed class BucketObjectTests
{
    [Theory]
    [InlineData("s3://my-bucket/path/to/context.tar.gz", "my-bucket", "path/to/context.tar.gz")]
    [InlineData("s3://my-bucket/context.tar.gz", "my-bucket", "context.tar.gz")]
    [InlineData("s3://my-bucket", "my-bucket", "context.tar.gz")]
    [InlineData("s3://my-bucket/", "my-bucket", "context.tar.gz")]
    [InlineData("s3://my-bucket/with%20space.tar.gz", "my-bucket", "with space.tar.gz")]
    public void An_s3_url_names_a_bucket_and_a_key_kaniko_style(string text, string bucket, string key)
    {
        Assert.True(BucketContext.TryParse(text, out var parsed));

        Assert.Equal(new S3BucketObject(bucket, key, text), parsed);
    }

    [Theory]
    [InlineData("gs://ctx/app/context.tar.gz", "ctx", "app/context.tar.gz")]
    [InlineData("gs://ctx", "ctx", "context.tar.gz")]
    public void A_gs_url_names_a_bucket_and_an_object(string text, string bucket, string name)
    {
        Assert.True(BucketContext.TryParse(text, out var parsed));

        Assert.Equal(new GcsObject(bucket, name, text), parsed);
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net/ctx/app/context.tar.gz", "acct", "ctx", "app/context.tar.gz")]
    [InlineData("https://acct.blob.core.chinacloudapi.cn/ctx/c.tar.gz", "acct", "ctx", "c.tar.gz")]
    [InlineData("https://acct.blob.core.cloudapi.de/ctx/c.tar.gz", "acct", "ctx", "c.tar.gz")]
    [InlineData("https://ACCT.blob.core.usgovcloudapi.net/ctx/c.tar.gz", "acct", "ctx", "c.tar.gz")]
    [InlineData("https://acct.blob.core.windows.net/ctx", "acct", "ctx", "context.tar.gz")]
    public void An_azure_blob_url_names_an_account_a_container_and_a_blob(string text, string account, string container, string blob)
    {
        Assert.True(BucketContext.TryParse(text, out var parsed));

        var azure = Assert.IsType<AzureBlobObject>(parsed);
        Assert.Equal((account, container, blob, text), (azure.Account, azure.Container, azure.BlobName, azure.Display));
    }

    [Fact]
    public void A_sas_token_in_an_azure_url_is_never_shown()
    {
        const string Url = "https://acct.blob.core.windows.net/ctx/c.tar.gz?sv=2024-01-01&sig=SECRETSIGNATURE";

        Assert.True(BucketContext.TryParse(Url, out var parsed));

        Assert.Equal("https://acct.blob.core.windows.net/ctx/c.tar.gz?<SAS token hidden>", parsed.Display);
    }

    [Theory]
    [InlineData("/work/context")]
    [InlineData("dir:///work/context")]
    [InlineData("tar://context.tar.gz")]
    [InlineData("git://github.com/org/repo.git")]
    [InlineData("https://example.com/context.tar.gz")]
    [InlineData("http://acct.blob.core.windows.net/ctx/c.tar.gz")]
    [InlineData("https://acct.blob.core.windows.net.example.com/ctx/c.tar.gz")]
    public void Other_contexts_are_left_to_other_kinds(string text)
    {
        Assert.False(BucketContext.TryParse(text, out _));
    }

    [Theory]
    [InlineData("s3://", "names no bucket; write s3://BUCKET/")]
    [InlineData("gs:///context.tar.gz", "names no bucket; write gs://BUCKET/")]
    [InlineData("https://acct.blob.core.windows.net/", "names no storage account or container")]
    public void A_bucket_url_without_a_bucket_is_one_clear_error(string text, string expected)
    {
        var error = Assert.Throws<BuildContextException>(() => BucketContext.TryParse(text, out _));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
