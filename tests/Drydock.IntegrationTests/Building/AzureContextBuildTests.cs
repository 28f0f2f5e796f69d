namespace Drydock.IntegrationTests.Building;

/// <summary>
/// An Azure Blob context (https://ACCOUNT.blob.core.windows.net/CONTAINER/PATH) through the real
/// CLI, from Azurite: with a connection string, and with AZURE_STORAGE_ACCESS_KEY (the connection
/// string then only names the emulator's endpoint), the same image as the directory context.
/// </summary>
[Collection(BucketCollections.Azure)]
public sealed class AzureContextBuildTests(AzuriteServer azurite) : IDisposable
{
    private readonly ContextSourceBuild _build = new("drydock-azure-build-");

    public void Dispose() => _build.Dispose();

    [RootFact]
    public async Task An_azure_blob_context_builds_what_the_directory_builds_with_either_credential()
    {
        var tree = _build.SampleTree("tree");
        await azurite.PutAsync("ci/ctx.tar.zst", await _build.TarAsync(tree, "ctx.tar.zst", "--zstd"));
        var context = AzuriteServer.Url("ci/ctx.tar.zst");
        var connectionString = new Dictionary<string, string?> { ["AZURE_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString };
        var accessKey = new Dictionary<string, string?>
        {
            ["AZURE_STORAGE_ACCESS_KEY"] = AzuriteServer.AccountKey,
            ["AZURE_STORAGE_CONNECTION_STRING"] = $"BlobEndpoint={azurite.BlobEndpoint};",
        };

        var expected = await ContextSourceBuild.DigestAsync(["--context", tree]);
        Assert.Equal(expected, await ContextSourceBuild.DigestAsync(["--context", context], connectionString));
        Assert.Equal(expected, await ContextSourceBuild.DigestAsync(["--context", context], accessKey));
        Assert.Equal(
            await ContextSourceBuild.DigestAsync(["--context", tree, "--context-sub-path", "sub"]),
            await ContextSourceBuild.DigestAsync(["--context", context, "--context-sub-path", "sub"], accessKey));
    }
}
