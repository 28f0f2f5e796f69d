using Drydock.Context.Buckets;

namespace Drydock.IntegrationTests.Context.Buckets;

/// <summary>
/// gs:// contexts against a loopback server of the JSON API's media download (STORAGE_EMULATOR_HOST,
/// as Google's libraries honour it: no credentials sent), and application default credentials
/// against its token endpoint: a service account key signed right gets a token, one signed wrong is
/// refused before any storage request.
/// </summary>
public sealed class GcsContextTests : IDisposable
{
    private readonly GcsJsonApiServer _gcs = new();
    private readonly TempDirectory _work = new("drydock-gcs-context-");

    public void Dispose()
    {
        _gcs.Dispose();
        _work.Dispose();
    }

    [Fact]
    public async Task The_object_is_downloaded_byte_for_byte_from_the_emulator()
    {
        var archive = BucketDownload.CreateArchive(_work);
        _gcs.Put("contexts", "app/v1/context.tar.gz", await File.ReadAllBytesAsync(archive));

        await BucketDownload.RunAsync("gs://contexts/app/v1/context.tar.gz", _work.Combine("context.tar.gz"),
            new Dictionary<string, string?> { ["STORAGE_EMULATOR_HOST"] = _gcs.EmulatorHost });

        Assert.Equal(await File.ReadAllBytesAsync(archive), await File.ReadAllBytesAsync(_work.Combine("context.tar.gz")));
    }

    [Fact]
    public async Task A_missing_object_is_one_error_naming_the_url()
    {
        var url = "gs://contexts/nowhere/context.tar.gz";
        var message = await BucketDownload.FailAsync(url, url, _work.Combine("context.tar.gz"),
            new Dictionary<string, string?> { ["STORAGE_EMULATOR_HOST"] = _gcs.EmulatorHost });

        Assert.Contains("no object nowhere/context.tar.gz in bucket contexts (404)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_emulator_names_it_and_STORAGE_EMULATOR_HOST()
    {
        using var gone = new RefusingPort();
        var url = "gs://contexts/context.tar.gz";
        var message = await BucketDownload.FailAsync(url, url, _work.Combine("context.tar.gz"),
            new Dictionary<string, string?> { ["STORAGE_EMULATOR_HOST"] = gone.Host });

        Assert.Contains($"cannot reach {gone.Host}", message, StringComparison.Ordinal);
        Assert.Contains("check STORAGE_EMULATOR_HOST", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_service_account_key_is_refused_naming_the_key_file()
    {
        var keyFile = _gcs.WriteServiceAccountKey(_work, wrongKey: true);
        var url = "gs://contexts/context.tar.gz";

        var message = await BucketDownload.FailAsync(url, url, _work.Combine("context.tar.gz"),
            new Dictionary<string, string?> { ["GOOGLE_APPLICATION_CREDENTIALS"] = keyFile });

        Assert.Contains("refused the credentials (400 invalid_grant: Invalid JWT Signature.)", message, StringComparison.Ordinal);
        Assert.Contains($"check GOOGLE_APPLICATION_CREDENTIALS ({keyFile})", message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_account_key_gets_a_token_with_a_jwt_its_key_signed()
    {
        var keyFile = _gcs.WriteServiceAccountKey(_work);
        using var http = new HttpClient();

        var token = await GoogleAccessToken.GetAsync(http, name => name == "GOOGLE_APPLICATION_CREDENTIALS" ? keyFile : null, CancellationToken.None);

        Assert.Equal("test-token", token);
    }
}
