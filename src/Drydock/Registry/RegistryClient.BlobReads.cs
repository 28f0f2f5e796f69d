using System.Net;
using System.Net.Http.Headers;
using Drydock.Oci;
using Drydock.Registry.Errors;
using Drydock.Registry.Transport;

namespace Drydock.Registry;

// Blob reads: HEAD, and GET verified by digest and resumed after a dropped connection.
public sealed partial class RegistryClient
{
    /// <summary>True when the repository has the blob (HEAD 200), false on 404.</summary>
    public Task<bool> BlobExistsAsync(string repository, Digest digest, CancellationToken cancellationToken) =>
        BlobExistsAsync(repository, digest, RegistryScope.Pull(repository), cancellationToken);

    /// <summary>
    /// Opens a blob for reading. The stream checks size and digest as it is read: reading to the end
    /// throws <see cref="InvalidDataException"/> unless the content matches the descriptor. A
    /// connection that drops or stalls midway is resumed from where it stopped, up to
    /// <see cref="RegistryTransportOptions.PullRetries"/> times.
    /// </summary>
    public async Task<Stream> OpenBlobAsync(string repository, Descriptor descriptor, CancellationToken cancellationToken)
    {
        var what = $"blob {descriptor.Digest} from {Registry}/{repository}";
        var first = await OpenBlobFromAsync(repository, descriptor, 0, cancellationToken).ConfigureAwait(false);
        var resuming = new ResumingReadStream(
            first,
            descriptor.Size,
            (offset, token) => OpenBlobFromAsync(repository, descriptor, offset, token),
            Options.PullRetries,
            Options.RequestTimeout,
            $"pulling {what}");
        return new VerifyingStream(resuming, descriptor.Digest, descriptor.Size, what);
    }

    /// <summary>
    /// The body of a blob from a byte offset on: a Range request past the start, answered with
    /// 206, or with 200 and the whole blob by a server that ignores ranges (its head is skipped).
    /// </summary>
    private async Task<Stream> OpenBlobFromAsync(string repository, Descriptor descriptor, long offset, CancellationToken cancellationToken)
    {
        var operation = $"pulling blob {descriptor.Digest} from {Registry}/{repository}" + (offset > 0 ? $" (resuming at byte {offset})" : "");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/blobs/{descriptor.Digest}");
        if (offset > 0)
        {
            request.Headers.Range = new RangeHeaderValue(offset, null);
        }

        var response = await SendAsync(request, operation, [RegistryScope.Pull(repository)], cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureSuccessAsync(response, operation, cancellationToken).ConfigureAwait(false);
            var partial = offset > 0 && response.StatusCode == HttpStatusCode.PartialContent;
            if (partial && response.Content.Headers.ContentRange?.From != offset)
            {
                throw new RegistryException(operation, $"the registry sent the range {response.Content.Headers.ContentRange}, not bytes {offset}- as asked", transient: true);
            }

            var expected = partial ? descriptor.Size - offset : descriptor.Size;
            if (response.Content.Headers.ContentLength is { } length && length != expected)
            {
                throw new RegistryException(operation, $"the registry sends {length} bytes, but the descriptor states {descriptor.Size}");
            }

            var content = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            if (offset > 0 && !partial)
            {
                await SkipAsync(content, offset, cancellationToken).ConfigureAwait(false);
            }

            return content;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static async Task SkipAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        while (count > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("the reply ended before the point to resume from");
            }

            count -= read;
        }
    }

    private async Task<bool> BlobExistsAsync(string repository, Digest digest, RegistryScope scope, CancellationToken cancellationToken)
    {
        var operation = $"checking blob {digest} in {Registry}/{repository}";
        using var request = new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/blobs/{digest}");
        using var response = await SendAsync(request, operation, [scope], cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, operation, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
