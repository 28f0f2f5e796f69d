using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Drydock.Context;

namespace Drydock.IntegrationTests.Context.Buckets;

/// <summary>What the bucket tests share: a context archive to upload, and a download that reports its one error line.</summary>
internal static class BucketDownload
{
    /// <summary>Writes a context.tar.gz (a Dockerfile and a few MB of incompressible data, so the copy takes many buffers).</summary>
    public static string CreateArchive(string directory)
    {
        var path = Path.Combine(directory, "upload.tar.gz");
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "Dockerfile") { DataStream = new MemoryStream("FROM scratch\nCOPY data /\n"u8.ToArray()) });
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "data") { DataStream = new MemoryStream(RandomNumberGenerator.GetBytes(3 * 1024 * 1024)) });
        return path;
    }

    /// <summary>Downloads <paramref name="url"/> to <paramref name="destination"/> with only <paramref name="environment"/> as the environment.</summary>
    public static async Task RunAsync(string url, string destination, IReadOnlyDictionary<string, string?> environment)
    {
        Assert.True(BucketContext.TryParse(url, out var bucketObject), $"{url} is a bucket URL");
        await BucketContext.DownloadAsync(bucketObject, destination, name => environment.GetValueOrDefault(name), CancellationToken.None);
    }

    /// <summary>The message of the failed download, checked to be one line naming the URL, with the partial file gone.</summary>
    public static async Task<string> FailAsync(string url, string shownUrl, string destination, IReadOnlyDictionary<string, string?> environment)
    {
        var error = await Assert.ThrowsAsync<BuildContextException>(() => RunAsync(url, destination, environment));
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains(shownUrl, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(destination), "no partial download is left");
        return error.Message;
    }
}
