using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Drydock.Context.Buckets;

/// <summary>
/// <c>gs://BUCKET/PATH</c>: an object in Google Cloud Storage, read with the JSON API's media
/// download and application default credentials (<see cref="GoogleAccessToken"/>). As Google's own
/// libraries do, <c>STORAGE_EMULATOR_HOST</c> sends the request to an emulator, without credentials.
/// </summary>
/// <remarks>
/// A plain GET instead of Google.Cloud.Storage.V1, whose Newtonsoft.Json reflection Native AOT
/// cannot promise to keep working (it warns IL2104/IL3053 at publish).
/// </remarks>
public sealed record GcsObject(string Bucket, string Name, string Display) : BucketObject
{
    public const string Scheme = "gs://";
    private const string EmulatorVariable = "STORAGE_EMULATOR_HOST";
    private const string ProductionEndpoint = "https://storage.googleapis.com";

    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(30),
        AutomaticDecompression = DecompressionMethods.None, // the object's bytes as stored, gzip or not
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan, // a large context may take long; the build's cancellation bounds it
        DefaultRequestHeaders = { { "User-Agent", "drydock" } },
    };

    public override string Display { get; } = Display;

    internal static bool TryParseUrl(string text, [NotNullWhen(true)] out BucketObject? parsed)
    {
        parsed = BucketUrl.TrySplit(text, Scheme, out var bucket, out var name) ? new GcsObject(bucket, name, text) : null;
        return parsed is not null;
    }

    internal override async Task DownloadAsync(Stream destination, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var emulator = EnvironmentValues.Get(environment, EmulatorVariable);
        var endpoint = emulator is null ? ProductionEndpoint : (emulator.Contains("://", StringComparison.Ordinal) ? emulator : "http://" + emulator).TrimEnd('/');
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{endpoint}/storage/v1/b/{Uri.EscapeDataString(Bucket)}/o/{Uri.EscapeDataString(Name)}?alt=media");
        try
        {
            if (emulator is null)
            {
                request.Headers.Authorization = new("Bearer", await GoogleAccessToken.GetAsync(Http, environment, cancellationToken).ConfigureAwait(false));
            }

            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            switch (response.StatusCode)
            {
                case HttpStatusCode.NotFound:
                    throw new BucketDownloadException($"there is no object {Name} in bucket {Bucket} (404); check the URL (a bucket context names a .tar.gz object)");
                case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                    throw new BucketDownloadException(
                        $"access denied ({(int)response.StatusCode} {response.ReasonPhrase}); check {GoogleAccessToken.CredentialsVariable} and the account's rights on bucket {Bucket}");
                case var status when !response.IsSuccessStatusCode:
                    throw new BucketDownloadException($"the store answered {(int)status} {response.ReasonPhrase}");
            }

            await response.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not BucketDownloadException && NetworkFailure.IsUnreachable(e, cancellationToken))
        {
            throw new BucketDownloadException(
                $"cannot reach {new Uri(request.RequestUri!.GetLeftPart(UriPartial.Authority)).Authority}: {NetworkFailure.Describe(e)}; check {(emulator is null ? "the network" : EmulatorVariable)}", e);
        }
    }
}
