using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Drydock.Foundation.Streams;
using Drydock.Oci;

namespace Drydock.Context.Remote;

/// <summary>A file ADD downloaded into the work directory, not yet placed in the image.</summary>
/// <param name="Path">The downloaded file (the caller deletes it).</param>
/// <param name="FileName">The last segment of the URL's path, the name BuildKit gives the file.</param>
/// <param name="LastModified">The Last-Modified header, which becomes the file's mtime.</param>
internal sealed record DownloadedFile(string Path, string FileName, DateTimeOffset? LastModified);

/// <summary>What a server says about a URL's content without sending it: the HTTP validators of a HEAD reply.</summary>
/// <param name="ETag">The entity tag, quotes and weak prefix kept; null when not given.</param>
/// <param name="LastModified">The Last-Modified header; null when not given.</param>
/// <param name="Length">The Content-Length header; null when not given.</param>
internal sealed record UrlValidators(string? ETag, DateTimeOffset? LastModified, long? Length)
{
    /// <summary>Whether the validators can tell a changed file from an unchanged one (the length alone cannot).</summary>
    public bool IdentifyContent => ETag is not null || LastModified is not null;
}

/// <summary>
/// ADD of an http(s) URL: one plain GET (no credentials, proxies from the environment as
/// HttpClient takes them), streamed to a file and hashed on the way, so a file of any size costs
/// a buffer of memory and a wrong <c>--checksum</c> is caught before anything reaches the image.
/// </summary>
/// <remarks>
/// A plain HttpClient on purpose: the registry transport's auth, mirrors and retries mean
/// nothing for an arbitrary URL. BuildKit names a file from a URL without a path "__unnamed__".
/// </remarks>
internal static class AddDownload
{
    private const string UnnamedFile = "__unnamed__";
    private const int BufferSize = 128 * 1024;

    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(30),
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        // A large file may take long; the build's cancellation bounds it, not a fixed timeout.
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestHeaders = { { "User-Agent", "drydock" } },
    };

    /// <summary>Downloads <paramref name="url"/> into <paramref name="directory"/> and checks it against <paramref name="expected"/>.</summary>
    /// <exception cref="HttpRequestException">The server cannot be reached or does not answer 2xx.</exception>
    /// <exception cref="InvalidDataException">The content does not have the expected digest (the file is deleted).</exception>
    public static async Task<DownloadedFile> DownloadAsync(Uri url, string directory, Digest? expected, CancellationToken cancellationToken)
    {
        var shown = AddSources.Display(url.OriginalString);
        using var response = await Client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"GET {shown}: {(int)response.StatusCode} {response.ReasonPhrase}; check the URL (ADD sends no credentials: fetch protected files in a RUN step)",
                inner: null,
                response.StatusCode);
        }

        Directory.CreateDirectory(directory);
        var path = System.IO.Path.Combine(directory, "add-" + Guid.NewGuid().ToString("N"));
        try
        {
            var actual = await SaveAsync(response.Content, path, expected?.Algorithm, cancellationToken).ConfigureAwait(false);
            if (expected is { } digest && actual != digest.Hex)
            {
                throw new InvalidDataException(
                    $"checksum mismatch for {shown}: expected {digest}, got {digest.Algorithm}:{actual}; " +
                    "if the file changed on purpose, update --checksum");
            }
        }
        catch
        {
            File.Delete(path);
            throw;
        }

        return new DownloadedFile(path, FileNameOf(url), response.Content.Headers.LastModified);
    }

    /// <summary>
    /// Asks for the validators of <paramref name="url"/> with a HEAD request from the same client
    /// as the download, so that a cached ADD need not download the file to know it is unchanged.
    /// </summary>
    /// <returns>The validators; null when the server does not answer the HEAD with 2xx.</returns>
    /// <exception cref="HttpRequestException">The server cannot be reached.</exception>
    public static async Task<UrlValidators?> ValidatorsAsync(Uri url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var headers = response.Content.Headers;
        return new UrlValidators(response.Headers.ETag?.ToString(), headers.LastModified, headers.ContentLength);
    }

    /// <summary>The base name of the URL's path, unescaped, as Go's path.Base gives it.</summary>
    public static string FileNameOf(Uri url)
    {
        var path = Uri.UnescapeDataString(url.AbsolutePath).TrimEnd('/');
        var name = path[(path.LastIndexOf('/') + 1)..];
        return name is "" or "." or ".." ? UnnamedFile : name;
    }

    // Writes the body to the file and returns its digest's hex, in the algorithm of the digest expected.
    private static async Task<string> SaveAsync(HttpContent content, string path, string? algorithm, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var body = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                var file = NewFile.Create(path);
                await using (file.ConfigureAwait(false))
                {
                    int read;
                    while ((read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
