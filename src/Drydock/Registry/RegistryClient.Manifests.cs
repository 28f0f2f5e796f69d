using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry.Errors;
using Drydock.Registry.Transport;

namespace Drydock.Registry;

// Manifests: GET (verified against the digest asked for or stated) and PUT.
public sealed partial class RegistryClient
{
    /// <summary>The distribution spec's suggested manifest size limit; a larger reply is refused.</summary>
    public const int MaxManifestSize = (int)SmallBlobs.MaxManifestSize;

    /// <summary>What a manifest GET accepts: both manifest and both index flavours.</summary>
    public static readonly IReadOnlyList<string> ManifestMediaTypes =
        [MediaTypes.OciManifest, MediaTypes.OciIndex, MediaTypes.DockerManifest, MediaTypes.DockerManifestList];

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
}
