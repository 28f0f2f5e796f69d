using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Drydock.Foundation.Streams;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry.Auth;
using Drydock.Registry.Transport;
using Polly;
using Polly.Retry;

namespace Drydock.Registry;

/// <summary>
/// Talks the distribution API to one registry: manifests and blobs, pulled verified (through its
/// mirrors first, resumed after a dropped connection) and pushed with HEAD checks, cross-repository
/// mounts and monolithic or chunked uploads. Authentication, retries and timeouts happen in its
/// handler pipeline; every failure is one <see cref="RegistryException"/>.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    /// <summary>The distribution spec's suggested manifest size limit; a larger reply is refused.</summary>
    public const int MaxManifestSize = 4 * 1024 * 1024;

    /// <summary>What a manifest GET accepts: both manifest and both index flavours.</summary>
    public static readonly IReadOnlyList<string> ManifestMediaTypes =
        [MediaTypes.OciManifest, MediaTypes.OciIndex, MediaTypes.DockerManifest, MediaTypes.DockerManifestList];

    private static readonly TimeSpan CancelledChunkGrace = TimeSpan.FromSeconds(5);

    private readonly RegistryTransport _transport;
    private readonly bool _ownsTransport;
    private readonly IKeychain _keychain;
    private readonly HttpClient _http;
    private readonly ResiliencePipeline _uploadRetry;

    /// <summary>A client with its own connections, for one registry.</summary>
    /// <param name="direction">Which of the per-direction options apply (<c>--insecure-pull</c> or <c>--insecure</c>, …): a client that pushes says <see cref="RegistryDirection.Push"/>.</param>
    public RegistryClient(string registry, RegistryTransportOptions options, IKeychain keychain, RegistryDirection direction = RegistryDirection.Pull)
        : this(registry, new RegistryTransport(options), keychain, direction, ownsTransport: true)
    {
    }

    /// <summary>A client sharing a transport (connection pools, TLS settings) with others.</summary>
    public RegistryClient(string registry, RegistryTransport transport, IKeychain keychain, RegistryDirection direction = RegistryDirection.Pull)
        : this(registry, transport, keychain, direction, ownsTransport: false)
    {
    }

    private RegistryClient(string registry, RegistryTransport transport, IKeychain keychain, RegistryDirection direction, bool ownsTransport)
    {
        Registry = registry;
        Direction = direction;
        _transport = transport;
        _ownsTransport = ownsTransport;
        _keychain = keychain;
        BaseAddress = transport.BaseUri(registry, direction);
        HttpMessageHandler pipeline = Authenticated(registry, BaseAddress);
        var mirrors = direction == RegistryDirection.Pull ? transport.Options.MirrorsFor(registry) : [];
        if (mirrors.Count > 0)
        {
            var routes = mirrors.Select(m =>
            {
                var root = transport.BaseUri(m.Host, direction);
                return new MirrorRoute(m, root, Authenticated(m.Host, root));
            }).ToArray();
            pipeline = new MirrorHandler(routes, !transport.Options.SkipDefaultRegistryFallback) { InnerHandler = pipeline };
        }

        // The pipeline is not disposed with the client: disposing it would dispose the shared pools behind it.
        _http = new HttpClient(pipeline, disposeHandler: false) { BaseAddress = BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.TryParseAdd(transport.Options.UserAgent);
        _uploadRetry = transport.Options.PushRetries <= 0
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = transport.Options.PushRetries,
                Delay = transport.Options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<RegistryException>(e => e.IsTransient),
            }).Build();
    }

    /// <summary>The registry as references name it (<c>docker.io</c>, <c>127.0.0.1:5000</c>).</summary>
    public string Registry { get; }

    /// <summary>The API root requests go to (<c>https://registry-1.docker.io/</c>).</summary>
    public Uri BaseAddress { get; }

    public RegistryTransportOptions Options => _transport.Options;

    /// <summary>Whether this client's requests follow the pull or the push options.</summary>
    public RegistryDirection Direction { get; }

    /// <summary>
    /// Gets a manifest or index by tag or digest. When the reference has a digest the content must
    /// hash to it; otherwise it must hash to the Docker-Content-Digest the registry states, if any.
    /// </summary>
    public async Task<RegistryManifest> GetManifestAsync(ImageReference reference, CancellationToken cancellationToken)
    {
        CheckRegistry(reference);
        var operation = $"pulling manifest {reference}";

        // The handler retries a request that got no reply; a reply cut short is asked for again here.
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{reference.Repository}/manifests/{reference.Identifier}");
            foreach (var accepted in ManifestMediaTypes)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accepted));
            }

            using var response = await SendAsync(request, operation, [RegistryScope.Pull(reference.Repository)], cancellationToken).ConfigureAwait(false);
            await EnsureSuccessAsync(response, operation, cancellationToken).ConfigureAwait(false);
            if (response.Content.Headers.ContentLength > MaxManifestSize)
            {
                throw new RegistryException(operation, $"the manifest is {response.Content.Headers.ContentLength} bytes, more than the {MaxManifestSize} allowed");
            }

            byte[] bytes;
            try
            {
                bytes = await ReadBodyAsync(response, MaxManifestSize + 1, operation, cancellationToken).ConfigureAwait(false);
            }
            catch (RegistryException) when (attempt < Options.PullRetries)
            {
                continue;
            }

            if (bytes.Length > MaxManifestSize)
            {
                throw new RegistryException(operation, $"the manifest is more than the {MaxManifestSize} bytes allowed");
            }

            var digest = VerifyManifestDigest(bytes, reference, response, operation);
            var mediaType = MediaTypeOf(bytes, response.Content.Headers.ContentType?.MediaType, operation);
            return new RegistryManifest(bytes, mediaType, digest);
        }
    }

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
    /// Pushes a blob unless the repository has it: HEAD, then (a mount from <paramref name="mountFrom"/>
    /// or) POST and a monolithic PUT, or PATCH chunks and a PUT for blobs above
    /// <see cref="RegistryTransportOptions.UploadChunkSize"/>. A failed upload starts again with a
    /// fresh stream from <paramref name="open"/>.
    /// </summary>
    public async Task<BlobPushOutcome> PushBlobAsync(string repository, Descriptor descriptor, Func<CancellationToken, Task<Stream>> open, CancellationToken cancellationToken, string? mountFrom = null)
    {
        if (await BlobExistsAsync(repository, descriptor.Digest, RegistryScope.Push(repository), cancellationToken).ConfigureAwait(false))
        {
            return BlobPushOutcome.AlreadyExists;
        }

        return await _uploadRetry.ExecuteAsync(
            async token => await UploadAsync(repository, descriptor, open, mountFrom, token).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Puts a manifest (or index) under the target's tag, or under its digest when it has no tag.
    /// Returns the digest of the bytes pushed.
    /// </summary>
    public async Task<Digest> PutManifestAsync(ImageReference target, ReadOnlyMemory<byte> manifest, string mediaType, CancellationToken cancellationToken)
    {
        CheckRegistry(target);
        var operation = $"pushing manifest to {target}";
        var digest = Digest.Sha256(manifest.Span);
        if (target.Digest is not null && target.Digest != digest.ToString())
        {
            throw new RegistryException(operation, $"the manifest's digest is {digest}, not the {target.Digest} the destination names");
        }

        using var request = new HttpRequestMessage(HttpMethod.Put, $"v2/{target.Repository}/manifests/{target.Tag ?? target.Digest}")
        {
            Content = new ReadOnlyMemoryContent(manifest),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await SendAsync(request, operation, [RegistryScope.Push(target.Repository)], cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, operation, cancellationToken).ConfigureAwait(false);
        if (HeaderDigest(response) is { } stated && stated != digest)
        {
            throw new RegistryException(operation, $"the registry stored the manifest as {stated}, but its bytes hash to {digest}");
        }

        return digest;
    }

    public void Dispose()
    {
        _http.Dispose();
        if (_ownsTransport)
        {
            _transport.Dispose();
        }
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

    /// <summary>
    /// Sends a request with the scopes it needs; the reply's body is left to the caller. Retries and
    /// the per-attempt timeout happen in the pipeline; what still fails becomes one exception.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string operation, IReadOnlyList<RegistryScope> scopes, CancellationToken cancellationToken)
    {
        request.Options.Set(AuthenticationHandler.ScopesKey, scopes);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            var authority = request.RequestUri?.IsAbsoluteUri == true ? request.RequestUri.Authority : BaseAddress.Authority;
            throw TransportFailure.ToException(e, operation, authority, _transport.TlsFailureFor(authority, Direction), Direction);
        }
        catch (TimeoutException e)
        {
            throw new RegistryException(operation, e.Message, innerException: e, transient: true);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string? hint = null;
        if (response.RequestMessage?.RequestUri is { IsAbsoluteUri: true } answered && answered.Authority != BaseAddress.Authority)
        {
            // A mirror or a redirect target answered: say who, and leave the registry's credentials out of it.
            hint = $"answered by {answered.Authority}";
        }
        else if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { IsAbsoluteUri: true } location)
        {
            // Redirects are followed, except from HTTPS down to plain HTTP. Only the host: a
            // pre-signed storage URL carries its signature in the query.
            hint = location.Scheme == Uri.UriSchemeHttp && response.RequestMessage?.RequestUri?.Scheme == Uri.UriSchemeHttps
                ? $"a redirect from HTTPS to plain HTTP ({location.Authority}) is not followed"
                : $"the redirect to {location.Authority} was not followed";
        }
        else if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            hint = await _keychain.ResolveAsync(Registry, cancellationToken).ConfigureAwait(false) is null
                ? $"no credentials for {Registry} were found"
                : $"the credentials for {Registry} were rejected";
        }

        throw await RegistryResponses.ToExceptionAsync(response, operation, hint, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a small reply body; one cut short, or stalled past the request timeout, is a transient failure.</summary>
    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, int limit, string operation, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.RequestTimeout);
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while (buffer.Length < limit && (read = await stream.ReadAsync(chunk, timeout.Token).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new RegistryException(operation, $"the reply was cut short: {TransportFailure.Innermost(e).Message}", innerException: e, transient: true);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RegistryException(operation, $"the rest of the reply did not arrive within {Options.RequestTimeout.TotalSeconds:0.#} s", innerException: e, transient: true);
        }
    }

    private static Digest VerifyManifestDigest(byte[] bytes, ImageReference reference, HttpResponseMessage response, string operation)
    {
        if (reference.Digest is { } wanted)
        {
            var expected = Digest.Parse(wanted);
            var actual = Hash(bytes, expected.Algorithm);
            return actual == expected
                ? actual
                : throw new RegistryException(operation, $"the registry sent a manifest with digest {actual}, not the requested {expected}");
        }

        var digest = Digest.Sha256(bytes);
        if (HeaderDigest(response) is { } stated && Hash(bytes, stated.Algorithm) != stated)
        {
            throw new RegistryException(operation, $"the registry states digest {stated}, but the manifest it sent hashes to {Hash(bytes, stated.Algorithm)}");
        }

        return digest;
    }

    private static Digest Hash(byte[] bytes, string algorithm) => algorithm switch
    {
        "sha512" => Digest.Parse("sha512:" + Convert.ToHexStringLower(SHA512.HashData(bytes))),
        _ => Digest.Sha256(bytes),
    };

    private static Digest? HeaderDigest(HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues("Docker-Content-Digest", out var values) &&
        Digest.TryParse(values.FirstOrDefault()?.Trim(), out var digest)
            ? digest
            : null;

    /// <summary>
    /// The document's own mediaType decides; then the Content-Type; then its shape (OCI documents may
    /// omit mediaType). Schema 1 is refused: it cannot be verified or rebuilt faithfully.
    /// </summary>
    private static string MediaTypeOf(byte[] bytes, string? contentType, string operation)
    {
        string? declared;
        bool hasManifests, hasConfig, isSchema1;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new RegistryException(operation, "the manifest is not a JSON object");
            }

            declared = root.TryGetProperty("mediaType", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            hasManifests = root.TryGetProperty("manifests", out _);
            hasConfig = root.TryGetProperty("config", out _);
            isSchema1 = root.TryGetProperty("schemaVersion", out var v) && v.ValueKind == JsonValueKind.Number && v.GetInt32() == 1;
        }
        catch (JsonException e)
        {
            throw new RegistryException(operation, $"the manifest is not valid JSON: {e.Message}", innerException: e);
        }

        if (isSchema1 || contentType is "application/vnd.docker.distribution.manifest.v1+json" or "application/vnd.docker.distribution.manifest.v1+prettyjws")
        {
            throw new RegistryException(operation, "the image has a Docker schema 1 manifest, which is not supported; push it again with a current tool");
        }

        if (!string.IsNullOrEmpty(declared))
        {
            return declared;
        }

        if (contentType is not null && ManifestMediaTypes.Contains(contentType))
        {
            return contentType;
        }

        return hasManifests ? MediaTypes.OciIndex
            : hasConfig ? MediaTypes.OciManifest
            : throw new RegistryException(operation, $"the registry sent a document of type '{contentType}' that is neither a manifest nor an index");
    }

    /// <summary>A registry's auth handler (its own credentials and token cache) over the shared connection pool.</summary>
    private AuthenticationHandler Authenticated(string registry, Uri root) =>
        new(registry, _keychain, uri => _transport.HandlerFor(uri, Direction)) { InnerHandler = _transport.HandlerFor(root, Direction) };

    private void CheckRegistry(ImageReference reference)
    {
        if (!string.Equals(ImageReference.NormalizeRegistry(reference.Registry), ImageReference.NormalizeRegistry(Registry), StringComparison.Ordinal))
        {
            throw new ArgumentException($"{reference} is not in {Registry}, the registry of this client.", nameof(reference));
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
}
