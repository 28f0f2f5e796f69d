using System.Diagnostics.CodeAnalysis;
using System.Net;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;

namespace Drydock.Context.Buckets;

/// <summary>
/// <c>https://ACCOUNT.blob.core.windows.net/CONTAINER/PATH</c> (or a sovereign cloud's blob host, as
/// kaniko accepts them): a blob in Azure Storage. Credentials, first found wins:
/// <c>AZURE_STORAGE_ACCESS_KEY</c> (the account key, kaniko's way); <c>AZURE_STORAGE_CONNECTION_STRING</c>;
/// a SAS token in the URL's query. A connection string's <c>BlobEndpoint</c> also stands in for the
/// URL's host, so an emulator (Azurite) or a private endpoint serves the same URL.
/// </summary>
public sealed record AzureBlobObject(Uri Url, string Account, string Container, string BlobName, string Display) : BucketObject
{
    private const string AccessKeyVariable = "AZURE_STORAGE_ACCESS_KEY";
    private const string ConnectionStringVariable = "AZURE_STORAGE_CONNECTION_STRING";

    // Azure's public cloud and the sovereign clouds kaniko recognises.
    private static readonly string[] BlobHostSuffixes =
        [".blob.core.windows.net", ".blob.core.chinacloudapi.cn", ".blob.core.cloudapi.de", ".blob.core.usgovcloudapi.net"];

    public override string Display { get; } = Display;

    internal static bool TryParseUrl(string text, [NotNullWhen(true)] out BucketObject? parsed)
    {
        parsed = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps
            || Array.Find(BlobHostSuffixes, s => url.Host.EndsWith(s, StringComparison.OrdinalIgnoreCase)) is not { } suffix)
        {
            return false;
        }

        var account = url.Host[..^suffix.Length];
        var display = url.Query.Length > 0 ? text[..text.IndexOf('?', StringComparison.Ordinal)] + "?<SAS token hidden>" : text;
        var path = url.AbsolutePath.TrimStart('/');
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var container = Uri.UnescapeDataString(slash < 0 ? path : path[..slash]);
        var blob = slash < 0 ? "" : Uri.UnescapeDataString(path[(slash + 1)..]);
        if (account.Length == 0 || container.Length == 0)
        {
            throw new BucketDownloadException("the URL names no storage account or container; write https://ACCOUNT.blob.core.windows.net/CONTAINER/PATH/TO/CONTEXT.tar.gz");
        }

        parsed = new AzureBlobObject(url, account, container, blob.Length == 0 ? DefaultObjectName : blob, display);
        return true;
    }

    internal override async Task DownloadAsync(Stream destination, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var connectionString = EnvironmentValues.Get(environment, ConnectionStringVariable);
        var options = new BlobClientOptions { Retry = { MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(200), NetworkTimeout = TimeSpan.FromSeconds(60) } };
        var client = Client(connectionString, EnvironmentValues.Get(environment, AccessKeyVariable), options);
        try
        {
            var response = await client.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await using var content = response.Value.Content;
            await content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            throw new BucketDownloadException(e.ErrorCode == "ContainerNotFound"
                ? $"there is no container {Container} in account {Account} (404 ContainerNotFound); check the URL"
                : $"there is no blob {BlobName} in container {Container} (404 {e.ErrorCode}); check the URL (a bucket context names a .tar.gz object)", e);
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.Forbidden or (int)HttpStatusCode.Unauthorized)
        {
            throw new BucketDownloadException(
                $"access denied ({e.Status} {e.ErrorCode}); check {AccessKeyVariable} (the key of account {Account}) or {ConnectionStringVariable}", e);
        }
        catch (RequestFailedException e) when (e.Status != 0)
        {
            throw new BucketDownloadException($"the store answered {e.Status} {e.ErrorCode}", e);
        }
        catch (Exception e) when (NetworkFailure.IsUnreachable(e, cancellationToken))
        {
            var endpoint = connectionString is null ? Url.Host : $"the BlobEndpoint of {ConnectionStringVariable} ({client.Uri.GetLeftPart(UriPartial.Authority)})";
            throw new BucketDownloadException($"cannot reach {endpoint}: {NetworkFailure.Describe(e)}; check the URL{(connectionString is null ? "" : $" and {ConnectionStringVariable}")}", e);
        }
    }

    private BlobClient Client(string? connectionString, string? accessKey, BlobClientOptions options)
    {
        BlobServiceClient? service;
        try
        {
            service = connectionString is null ? null : new BlobServiceClient(connectionString, options);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new BucketDownloadException($"{ConnectionStringVariable} is not a valid connection string; copy it from the storage account's Access keys page", e);
        }

        if (accessKey is not null)
        {
            // The account key signs requests to the URL's host, or to the connection string's endpoint.
            var uri = service is null ? Url : new BlobUriBuilder(service.Uri) { BlobContainerName = Container, BlobName = BlobName, Query = "" }.ToUri();
            try
            {
                return new BlobClient(uri, new StorageSharedKeyCredential(Account, accessKey), options);
            }
            catch (FormatException e)
            {
                throw new BucketDownloadException($"{AccessKeyVariable} is not an account key (base64); copy key1 or key2 of account {Account}", e);
            }
        }

        if (service is not null)
        {
            if (!string.Equals(service.AccountName, Account, StringComparison.OrdinalIgnoreCase))
            {
                throw new BucketDownloadException($"{ConnectionStringVariable} is for account {service.AccountName}, the URL names account {Account}; give the connection string of {Account}");
            }

            return service.GetBlobContainerClient(Container).GetBlobClient(BlobName);
        }

        if (Url.Query.Length > 0)
        {
            return new BlobClient(Url, options); // the SAS token in the URL is the credential
        }

        throw new BucketDownloadException($"no credentials: set {AccessKeyVariable} to the key of account {Account}, or {ConnectionStringVariable}, or give a SAS token in the URL");
    }
}
