using System.Globalization;
using Azure.Storage.Blobs;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>
/// Azure Blob storage's emulator (Azurite from npm, blob service only, telemetry off) on 127.0.0.1,
/// one per test run (<c>[Collection(BucketCollections.Azure)]</c>), with its well-known development
/// account and one container.
/// </summary>
public sealed class AzuriteServer : IAsyncLifetime
{
    public const string Container = "contexts";

    /// <summary>Azurite's well-known development account and key (public, documented by Microsoft).</summary>
    public const string Account = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly TempDirectory _data = new("drydock-azurite-");
    private NodeServerProcess? _server;

    /// <summary>The emulator's blob endpoint (path-style: the account is the first segment).</summary>
    public string BlobEndpoint => $"http://127.0.0.1:{Server.Port}/{Account}";

    /// <summary>A connection string with the account key and this emulator as BlobEndpoint.</summary>
    public string ConnectionString => $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    /// <summary>The URL a user writes for a blob of the development account: its requests go to <see cref="BlobEndpoint"/>.</summary>
    public static string Url(string blobName) => $"https://{Account}.blob.core.windows.net/{Container}/{blobName}";

    private NodeServerProcess Server => _server ?? throw new InvalidOperationException("Azurite has not been started.");

    /// <summary>Stores <paramref name="file"/> as blob <paramref name="blobName"/> in <see cref="Container"/>.</summary>
    public async Task PutAsync(string blobName, string file) =>
        await new BlobServiceClient(ConnectionString).GetBlobContainerClient(Container).GetBlobClient(blobName).UploadAsync(file, overwrite: true);

    public async Task InitializeAsync()
    {
        _server = await NodeServerProcess.StartAsync("azurite-blob", port =>
            ["--blobHost", "127.0.0.1", "--blobPort", port.ToString(CultureInfo.InvariantCulture), "--location", _data.Path,
             "--disableTelemetry", "--silent", "--skipApiVersionCheck"]);
        await new BlobServiceClient(ConnectionString).GetBlobContainerClient(Container).CreateIfNotExistsAsync();
    }

    public Task DisposeAsync()
    {
        _server?.Dispose();
        _data.Dispose();
        return Task.CompletedTask;
    }
}
