using System.Net;
using System.Net.Http.Headers;
using Drydock.Foundation.Streams;
using Drydock.Oci;
using Drydock.Registry.Errors;
using Drydock.Registry.Transport;
using Polly;
using Polly.Retry;

namespace Drydock.Registry;

// Blob uploads: mounts, monolithic and chunked uploads, and streaming a blob while it is written.
public sealed partial class RegistryClient
{
    private static readonly TimeSpan CancelledChunkGrace = TimeSpan.FromSeconds(5);

    private readonly ResiliencePipeline _uploadRetry;

    /// <summary>Pushes a blob unless the repository has it, mounting nothing.</summary>
    public Task<BlobPushOutcome> PushBlobAsync(string repository, Descriptor descriptor, Func<CancellationToken, Task<Stream>> open, CancellationToken cancellationToken) =>
        PushBlobAsync(repository, descriptor, open, mountFrom: null, cancellationToken);

    /// <summary>
    /// Pushes a blob unless the repository has it: HEAD, then (a mount from <paramref name="mountFrom"/>
    /// or) POST and a monolithic PUT, or PATCH chunks and a PUT for blobs above
    /// <see cref="RegistryTransportOptions.UploadChunkSize"/>. A failed upload starts again with a
    /// fresh stream from <paramref name="open"/>.
    /// </summary>
    public async Task<BlobPushOutcome> PushBlobAsync(string repository, Descriptor descriptor, Func<CancellationToken, Task<Stream>> open, string? mountFrom, CancellationToken cancellationToken)
    {
        if (await BlobExistsAsync(repository, descriptor.Digest, RegistryScope.Push(repository), cancellationToken).ConfigureAwait(false))
        {
            return BlobPushOutcome.AlreadyExists;
        }

        return await _uploadRetry.ExecuteAsync(
            async token => await UploadAsync(repository, descriptor, open, mountFrom, token).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<BlobPushOutcome> UploadAsync(string repository, Descriptor descriptor, Func<CancellationToken, Task<Stream>> open, string? mountFrom, CancellationToken cancellationToken)
    {
        var operation = $"pushing blob {descriptor.Digest} to {Registry}/{repository}";
        var mount = mountFrom is not null && mountFrom != repository ? (descriptor.Digest, mountFrom) : ((Digest, string)?)null;
        if (await StartUploadAsync(repository, mount, operation, cancellationToken).ConfigureAwait(false) is not { } location)
        {
            return BlobPushOutcome.Mounted;
        }

        var source = await open(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            if (descriptor.Size <= Options.UploadChunkSize)
            {
                using var response = await SendUploadAsync(HttpMethod.Put, WithDigest(location, descriptor.Digest), source, descriptor.Size, null, operation, repository, cancellationToken).ConfigureAwait(false);
                await EnsureSuccessAsync(response, operation, cancellationToken).ConfigureAwait(false);
                return BlobPushOutcome.Uploaded;
            }

            for (long offset = 0; offset < descriptor.Size;)
            {
                var length = Math.Min(Options.UploadChunkSize, descriptor.Size - offset);
                location = await PatchChunkAsync(location, source, offset, length, operation, repository, cancellationToken).ConfigureAwait(false);
                offset += length;
            }

            await CommitUploadAsync(location, descriptor.Digest, operation, repository, cancellationToken).ConfigureAwait(false);
            return BlobPushOutcome.UploadedInChunks;
        }
    }

    /// <summary>
    /// Uploads a blob while it is still being written: opens an upload session at once, PATCHes
    /// each <see cref="RegistryTransportOptions.UploadChunkSize"/> chunk as soon as the file holds
    /// it (a whole chunk, so no request waits on the writer), and commits with PUT ?digest= once
    /// the writer has finished. One attempt, no retries: a caller whose upload failed pushes the
    /// blob again the ordinary way. A failed or cancelled upload's session is deleted.
    /// </summary>
    /// <returns>The blob, as the registry now holds it.</returns>
    public async Task<Descriptor> StreamBlobAsync(string repository, GrowingFile blob, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var operation = $"streaming a blob to {Registry}/{repository}";
        var location = await StartUploadAsync(repository, null, operation, cancellationToken).ConfigureAwait(false)
            ?? throw new RegistryException(operation, "the registry opened no upload session");

        // A chunk on its way may finish for a moment after cancellation: a registry refuses to
        // delete a session whose state it cannot match with the client's (distribution does).
        using var chunkCancel = new CancellationTokenSource();
        using var grace = cancellationToken.Register(() => chunkCancel.CancelAfter(CancelledChunkGrace));
        try
        {
            var source = blob.OpenRead();
            await using (source.ConfigureAwait(false))
            {
                for (long offset = 0; ;)
                {
                    var state = await blob.WaitForAsync(offset + Options.UploadChunkSize, cancellationToken).ConfigureAwait(false);
                    var end = Math.Min(offset + Options.UploadChunkSize, state.Length);
                    if (end > offset)
                    {
                        location = await PatchChunkAsync(location, source, offset, end - offset, operation, repository, chunkCancel.Token).ConfigureAwait(false);
                        offset = end;
                    }
                    else if (state.Completed is { } completed)
                    {
                        await CommitUploadAsync(location, completed.Digest, $"streaming blob {completed.Digest} to {Registry}/{repository}", repository, cancellationToken).ConfigureAwait(false);
                        return completed;
                    }
                }
            }
        }
        catch
        {
            await CancelUploadAsync(location, repository).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Checks that the credentials found may push to the repository, before there is anything to
    /// push: opens an upload session (a token with push scope first, where the registry uses
    /// tokens) and deletes it. A token handshake alone is not enough: Docker Hub grants push-scoped
    /// tokens it then refuses to upload with, as go-containerregistry found.
    /// </summary>
    /// <exception cref="RegistryException">The registry refused the push, or could not be reached.</exception>
    public async Task CheckPushAccessAsync(string repository, CancellationToken cancellationToken)
    {
        var location = await StartUploadAsync(repository, null, $"checking push access to {Registry}/{repository}", cancellationToken).ConfigureAwait(false);
        if (location is not null)
        {
            await CancelUploadAsync(location, repository).ConfigureAwait(false);
        }
    }

    /// <summary>Opens an upload session (POST), or mounts the blob from another repository: then there is no session (null).</summary>
    private async Task<Uri?> StartUploadAsync(string repository, (Digest Digest, string From)? mount, string operation, CancellationToken cancellationToken)
    {
        var start = mount is var (digest, from) ? $"v2/{repository}/blobs/uploads/?mount={Uri.EscapeDataString(digest.ToString())}&from={Uri.EscapeDataString(from)}" : $"v2/{repository}/blobs/uploads/";
        IReadOnlyList<RegistryScope> scopes = mount is not null ? [RegistryScope.Push(repository), RegistryScope.Pull(mount.Value.From)] : [RegistryScope.Push(repository)];
        using var request = new HttpRequestMessage(HttpMethod.Post, start);
        using var response = await SendAsync(request, operation, scopes, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, operation, cancellationToken).ConfigureAwait(false);
        return mount is not null && response.StatusCode == HttpStatusCode.Created ? null : LocationOf(response, operation);
    }

    /// <summary>Sends the next <paramref name="length"/> bytes of <paramref name="source"/> as one chunk; returns where the upload goes next.</summary>
    private async Task<Uri> PatchChunkAsync(Uri location, Stream source, long offset, long length, string operation, string repository, CancellationToken cancellationToken)
    {
        using var response = await SendUploadAsync(HttpMethod.Patch, location, new BoundedReadStream(source, length), length, $"{offset}-{offset + length - 1}", operation, repository, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, operation, cancellationToken).ConfigureAwait(false);
        CheckRange(response, offset + length, operation);
        return LocationOf(response, operation);
    }

    /// <summary>Ends an upload session: the registry checks the bytes against the digest and stores the blob.</summary>
    private async Task CommitUploadAsync(Uri location, Digest digest, string operation, string repository, CancellationToken cancellationToken)
    {
        using var commit = new HttpRequestMessage(HttpMethod.Put, WithDigest(location, digest)) { Content = new ByteArrayContent([]) };
        using var response = await SendAsync(commit, operation, [RegistryScope.Push(repository)], cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, operation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes an unfinished upload session so the registry drops what it received. Best effort,
    /// briefly, whatever the caller's cancellation: registries also expire abandoned sessions.
    /// </summary>
    private async Task CancelUploadAsync(Uri location, string repository)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, location);
            using var response = await SendAsync(request, $"cancelling an upload to {Registry}/{repository}", [RegistryScope.Push(repository)], timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RegistryException or OperationCanceledException)
        {
            // The session expires on its own.
        }
    }

    /// <summary>
    /// Sends a request whose body streams from a blob. An attempt that makes no progress for
    /// <see cref="RegistryTransportOptions.PushStallTimeout"/> is aborted as a transient failure,
    /// so the upload is tried again; a bad source blob is no transport failure.
    /// </summary>
    private async Task<HttpResponseMessage> SendUploadAsync(HttpMethod method, Uri uri, Stream body, long length, string? contentRange, string operation, string repository, CancellationToken cancellationToken)
    {
        using var stall = new UploadStallWatch(Options.PushStallTimeout, cancellationToken);
        using var request = new HttpRequestMessage(method, uri) { Content = BlobContent(stall.Watch(body), length) };
        if (contentRange is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Range", contentRange);
        }

        try
        {
            return await SendAsync(request, operation, [RegistryScope.Push(repository)], stall.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (stall.Stalled && e is OperationCanceledException or RegistryException)
        {
            throw new RegistryException(operation, $"the upload made no progress for {stall.Timeout.TotalSeconds:0.#} s", innerException: e, transient: true);
        }
        catch (RegistryException e) when (e.InnerException is { } inner && TransportFailure.VerificationFailure(inner) is { } invalid)
        {
            throw new RegistryException(operation, $"the blob being uploaded failed verification: {invalid.Message}", innerException: invalid);
        }
    }

    private static StreamContent BlobContent(Stream source, long length)
    {
        var content = new StreamContent(source);
        content.Headers.ContentLength = length;
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    /// <summary>Where an upload goes next; registries often answer with a path relative to the request.</summary>
    private static Uri LocationOf(HttpResponseMessage response, string operation)
    {
        var location = response.Headers.Location
            ?? throw new RegistryException(operation, $"the registry answered {(int)response.StatusCode} without a Location for the upload");
        return location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location);
    }

    private static Uri WithDigest(Uri location, Digest digest)
    {
        var query = location.Query.TrimStart('?');
        var builder = new UriBuilder(location)
        {
            Query = (query.Length > 0 ? query + "&" : "") + "digest=" + Uri.EscapeDataString(digest.ToString()),
        };
        return builder.Uri;
    }

    private static void CheckRange(HttpResponseMessage response, long expectedEnd, string operation)
    {
        if (!response.Headers.NonValidated.TryGetValues("Range", out var values))
        {
            return;
        }

        var range = values.FirstOrDefault() ?? "";
        var dash = range.LastIndexOf('-');
        if (dash >= 0 && long.TryParse(range[(dash + 1)..], out var end) && end != expectedEnd - 1)
        {
            throw new RegistryException(operation, $"the registry holds bytes {range} of the upload, expected 0-{expectedEnd - 1}", transient: true);
        }
    }

    /// <summary>Starts a failed upload again, with a fresh stream, when the failure was transient.</summary>
    private static ResiliencePipeline UploadRetry(RegistryTransportOptions options) =>
        options.PushRetries <= 0
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.PushRetries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<RegistryException>(e => e.IsTransient),
            }).Build();
}
