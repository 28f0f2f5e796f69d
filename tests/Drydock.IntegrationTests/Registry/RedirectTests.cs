using System.Collections.Concurrent;
using System.Net;
using Drydock.IntegrationTests.Building;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Errors;
using Drydock.Registry.Transport;

namespace Drydock.IntegrationTests.Registry;

/// <summary>
/// Registries that answer blob reads with a 307 to object storage (Docker Hub, GCR, ECR, Quay…):
/// the real registry with distribution's <c>redirect</c> middleware, and the fixture's
/// <see cref="BlobStorageServer"/> as the storage. Blobs come from the storage verified, a dropped
/// download resumes, and the registry's credentials never reach the storage host.
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class RedirectTests(HttpRegistry plain)
{
    [RootFact]
    public async Task A_pull_fetches_the_config_and_layer_from_the_storage_the_registry_redirects_to_verified()
    {
        await using var server = await RegistryServer.StartRedirectingBlobsAsync(RegistryMode.Http);
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var client = server.CreateClient();

        var image = await RemoteImage.LoadAsync(client, seeded.Reference, Platform.Host, CancellationToken.None);
        await ReadWholeAsync(image.Layers[0]);

        Assert.Equal(seeded.ManifestDigest, image.ManifestDigest.ToString());
        var storage = server.BlobStorage!.Requests;
        Assert.Single(storage, r => r.Method == "GET" && r.IsBlob(image.Manifest.Config.Digest));
        Assert.Single(storage, r => r.Method == "GET" && r.IsBlob(image.Layers[0].Descriptor.Digest));
    }

    [RootFact]
    public async Task A_build_FROM_an_image_behind_a_redirect_pulls_its_layer_from_storage_and_pushes()
    {
        await using var server = await RegistryServer.StartRedirectingBlobsAsync(RegistryMode.Http);
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        var baseLayer = await BaseLayerAsync(server, seeded.Reference);
        using var context = new ContextDirectory().Dockerfile($"FROM {seeded.Reference}\nRUN echo redirected > /redirected\n");
        var reference = plain.Reference(RegistryServer.NewRepository("redirect-build") + ":v1").ToString();

        var result = await DrydockRunner.BuildAsync(["--insecure-registry", server.Host, "--insecure-registry", plain.Host, "--destination", reference, context.Path]);

        Assert.Equal(DrydockRunner.Digest(result), await new ImageInspector(plain).DigestAsync(reference));
        Assert.Contains(server.BlobStorage!.Requests, r => r.Method == "GET" && r.IsBlob(baseLayer));
    }

    [RootFact]
    public async Task Image_copy_from_a_redirecting_registry_to_a_plain_one_keeps_every_digest()
    {
        await using var server = await RegistryServer.StartRedirectingBlobsAsync(RegistryMode.Http);
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        var baseLayer = await BaseLayerAsync(server, seeded.Reference);
        var destination = plain.Reference(RegistryServer.NewRepository("redirect-copy") + ":v1");

        var result = await DrydockRunner.RunAsync(DrydockRunner.ExecutablePath, ["image", "copy", "--insecure-registry", server.Host, "--insecure-registry", plain.Host, seeded.Reference.ToString(), destination.ToString()]);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(seeded.ManifestDigest, result.StandardOutput.Trim());
        var copied = await ToolRunner.RunCheckedAsync("skopeo", ["inspect", "--raw", .. plain.SkopeoArgs, $"docker://{destination}"]);
        var source = await ToolRunner.RunCheckedAsync("skopeo", ["inspect", "--raw", .. server.SkopeoArgs, $"docker://{seeded.Reference}"]);
        Assert.Equal(source.StandardOutput, copied.StandardOutput);
        Assert.Contains(server.BlobStorage!.Requests, r => r.Method == "GET" && r.IsBlob(baseLayer));
        using var temp = new TempDirectory();
        await ToolRunner.RunCheckedAsync("skopeo", ["--insecure-policy", "copy", .. plain.SkopeoSourceArgs, $"docker://{destination}", $"oci:{temp.Combine("layout")}:copied"]);
    }

    /// <summary>
    /// The storage fails the layer's first GET with a 503 (the retry re-sends the redirected request
    /// to the storage), then drops the second midway: to resume, the client asks the registry again
    /// (a pre-signed URL may have expired by then) and follows the fresh redirect with a Range.
    /// </summary>
    [RootFact]
    public async Task A_storage_5xx_is_retried_and_a_dropped_download_resumes_with_a_range_through_a_fresh_redirect()
    {
        await using var server = await RegistryServer.StartRedirectingBlobsAsync(RegistryMode.Http);
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        var layer = await BaseLayerAsync(server, seeded.Reference);
        var gets = 0;
        server.BlobStorage!.Faults = request => request.Method == "GET" && request.IsBlob(layer)
            ? Interlocked.Increment(ref gets) switch
            {
                1 => new Fault.Status(HttpStatusCode.ServiceUnavailable),
                2 => new Fault.DropAfter(100_000),
                _ => null,
            }
            : null;
        var asked = new ConcurrentQueue<string>();
        using var transport = new RegistryTransport(server.TransportOptions with { PullRetries = 2 }, inner => new CountingHandler(inner, request => asked.Enqueue($"{request.Method} {request.RequestUri}")));
        using var client = new RegistryClient(server.Host, transport, server.Keychain);

        var image = await RemoteImage.LoadAsync(client, seeded.Reference, Platform.Host, CancellationToken.None);
        await ReadWholeAsync(image.Layers[0]);

        var blobGets = server.BlobStorage.Requests.Where(r => r.Method == "GET" && r.IsBlob(layer)).Select(r => r.Range);
        Assert.Equal([null, null, "bytes=100000-"], blobGets);
        Assert.Equal(2, asked.Count(a => a == $"GET {server.BaseUri}v2/{seeded.Reference.Repository}/blobs/{layer}"));
    }

    /// <summary>The registry answers with credentials, Basic or a bearer token; the storage host sees none.</summary>
    [RootTheory]
    [InlineData(RegistryMode.TlsWithBasicAuth)]
    [InlineData(RegistryMode.TokenAuth)]
    public async Task Credentials_for_the_registry_never_follow_a_redirect_to_the_storage(RegistryMode mode)
    {
        await using var server = await RegistryServer.StartRedirectingBlobsAsync(mode);
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var client = server.CreateClient();

        var image = await RemoteImage.LoadAsync(client, seeded.Reference, Platform.Host, CancellationToken.None);
        await ReadWholeAsync(image.Layers[0]);
        Assert.True(await client.BlobExistsAsync(seeded.Reference.Repository, image.Layers[0].Descriptor.Digest, CancellationToken.None));

        var storage = server.BlobStorage!.Requests;
        Assert.Contains(storage, r => r.Method == "GET" && r.IsBlob(image.Layers[0].Descriptor.Digest));
        Assert.Contains(storage, r => r.Method == "HEAD" && r.IsBlob(image.Layers[0].Descriptor.Digest));
        Assert.All(storage, r => Assert.Null(r.Authorization));
    }

    /// <summary>
    /// A storage host that challenges (as a hostile or misconfigured one might) must not get the
    /// registry's password, nor be asked for a token with it: the pull fails naming that host.
    /// </summary>
    [RootTheory]
    [InlineData(RegistryMode.TlsWithBasicAuth, "Basic realm=\"storage\"")]
    [InlineData(RegistryMode.TlsWithBasicAuth, "Bearer realm=\"{0}token\",service=\"storage\"")]
    [InlineData(RegistryMode.TokenAuth, "Basic realm=\"storage\"")]
    [InlineData(RegistryMode.TokenAuth, "Bearer realm=\"{0}token\",service=\"storage\"")]
    public async Task A_storage_host_that_challenges_gets_no_credentials_and_the_error_names_it(RegistryMode mode, string challenge)
    {
        await using var server = await RegistryServer.StartRedirectingBlobsAsync(mode);
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        var storage = server.BlobStorage!;
        storage.Faults = request => request.Method == "GET" && request.Path.Contains("/blobs/", StringComparison.Ordinal)
            ? new Fault.Status(HttpStatusCode.Unauthorized, Challenge: string.Format(System.Globalization.CultureInfo.InvariantCulture, challenge, storage.BaseUri))
            : null;
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<RegistryException>(() => RemoteImage.LoadAsync(client, seeded.Reference, Platform.Host, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains($"answered by {storage.BaseUri.Authority}", error.Message);
        Assert.Contains(storage.Requests, r => r.Method == "GET");
        Assert.All(storage.Requests, r => Assert.Null(r.Authorization));
        Assert.DoesNotContain(storage.Requests, r => r.Path.StartsWith("/token", StringComparison.Ordinal));
    }

    /// <summary>
    /// An HTTPS registry that redirects blobs to plain HTTP: the client does not follow (the request
    /// would travel in the clear), and says so rather than showing a bare 307.
    /// </summary>
    [RootFact]
    public async Task A_redirect_from_HTTPS_down_to_plain_HTTP_is_refused_with_a_message_saying_so()
    {
        await using var server = await RegistryServer.StartRedirectingBlobsAsync(RegistryMode.Tls, plainHttpStorage: true);
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<RegistryException>(() => RemoteImage.LoadAsync(client, seeded.Reference, Platform.Host, CancellationToken.None));

        Assert.EndsWith($"307 Temporary Redirect (a redirect from HTTPS to plain HTTP ({server.BlobStorage!.BaseUri.Authority}) is not followed)", error.Message);
        Assert.Empty(server.BlobStorage.Requests);
    }

    /// <summary>The digest of the image's only layer, read straight from the registry.</summary>
    private static async Task<Digest> BaseLayerAsync(RegistryServer server, ImageReference reference)
    {
        using var client = server.CreateClient();
        var manifest = await client.GetManifestAsync(reference, CancellationToken.None);
        return manifest.ReadManifest(reference).Layers.Single().Digest;
    }

    /// <summary>Reads a layer to its end, where the verifying stream checks size and digest.</summary>
    private static async Task ReadWholeAsync(ILayer layer)
    {
        await using var blob = await layer.OpenCompressedAsync(CancellationToken.None);
        await blob.CopyToAsync(Stream.Null);
    }
}
