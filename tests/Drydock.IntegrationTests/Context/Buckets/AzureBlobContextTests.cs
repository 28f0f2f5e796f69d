namespace Drydock.IntegrationTests.Context.Buckets;

/// <summary>
/// Azure Blob contexts (https://ACCOUNT.blob.core.windows.net/CONTAINER/PATH) against Azurite: the
/// URL names the development account, and a connection string's BlobEndpoint sends its requests to
/// the emulator, with the account key from the connection string or AZURE_STORAGE_ACCESS_KEY.
/// </summary>
[Collection(BucketCollections.Azure)]
public sealed class AzureBlobContextTests(AzuriteServer azurite) : IDisposable
{
    private const string WrongKey = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5LXdyb25nLWtleQ==";
    private readonly TempDirectory _work = new("drydock-azure-context-");

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task The_blob_is_downloaded_byte_for_byte_with_a_connection_string()
    {
        var archive = BucketDownload.CreateArchive(_work);
        await azurite.PutAsync("app/context.tar.gz", archive);

        await BucketDownload.RunAsync(AzuriteServer.Url("app/context.tar.gz"), _work.Combine("context.tar.gz"),
            new Dictionary<string, string?> { ["AZURE_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString });

        Assert.Equal(await File.ReadAllBytesAsync(archive), await File.ReadAllBytesAsync(_work.Combine("context.tar.gz")));
    }

    [Fact]
    public async Task The_account_key_of_AZURE_STORAGE_ACCESS_KEY_signs_requests_to_the_connection_strings_endpoint()
    {
        var archive = BucketDownload.CreateArchive(_work);
        await azurite.PutAsync("keyed/context.tar.gz", archive);

        await BucketDownload.RunAsync(AzuriteServer.Url("keyed/context.tar.gz"), _work.Combine("context.tar.gz"), new Dictionary<string, string?>
        {
            ["AZURE_STORAGE_ACCESS_KEY"] = AzuriteServer.AccountKey,
            ["AZURE_STORAGE_CONNECTION_STRING"] = $"BlobEndpoint={azurite.BlobEndpoint};",
        });

        Assert.Equal(await File.ReadAllBytesAsync(archive), await File.ReadAllBytesAsync(_work.Combine("context.tar.gz")));
    }

    [Fact]
    public async Task A_missing_blob_is_one_error_naming_the_url()
    {
        var url = AzuriteServer.Url("nowhere/context.tar.gz");
        var message = await BucketDownload.FailAsync(url, url, _work.Combine("context.tar.gz"),
            new Dictionary<string, string?> { ["AZURE_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString });

        Assert.Contains("no blob nowhere/context.tar.gz in container contexts (404", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_account_key_is_refused_naming_the_variable_never_the_key()
    {
        var archive = BucketDownload.CreateArchive(_work);
        await azurite.PutAsync("secret/context.tar.gz", archive);
        var url = AzuriteServer.Url("secret/context.tar.gz");

        var message = await BucketDownload.FailAsync(url, url, _work.Combine("context.tar.gz"), new Dictionary<string, string?>
        {
            ["AZURE_STORAGE_ACCESS_KEY"] = WrongKey,
            ["AZURE_STORAGE_CONNECTION_STRING"] = $"BlobEndpoint={azurite.BlobEndpoint};",
        });

        Assert.Contains("access denied (403", message, StringComparison.Ordinal);
        Assert.Contains("check AZURE_STORAGE_ACCESS_KEY", message, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongKey, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_endpoint_names_it_and_the_connection_string()
    {
        using var gone = new RefusingPort();
        var url = AzuriteServer.Url("context.tar.gz");
        var message = await BucketDownload.FailAsync(url, url, _work.Combine("context.tar.gz"), new Dictionary<string, string?>
        {
            ["AZURE_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString.Replace(azurite.BlobEndpoint, $"http://{gone.Host}/{AzuriteServer.Account}", StringComparison.Ordinal),
        });

        Assert.Contains($"cannot reach the BlobEndpoint of AZURE_STORAGE_CONNECTION_STRING (http://{gone.Host})", message, StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteServer.AccountKey, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_credentials_name_both_variables_before_any_request()
    {
        var url = AzuriteServer.Url("context.tar.gz");
        var message = await BucketDownload.FailAsync(url, url, _work.Combine("context.tar.gz"), new Dictionary<string, string?>());

        Assert.Contains("set AZURE_STORAGE_ACCESS_KEY to the key of account devstoreaccount1, or AZURE_STORAGE_CONNECTION_STRING", message, StringComparison.Ordinal);
    }
}
