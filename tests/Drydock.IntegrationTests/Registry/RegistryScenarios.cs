using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Errors;
using Drydock.Registry.Transport;

namespace Drydock.IntegrationTests.Registry;

/// <summary>
/// Pull and push against the real registry, run once per mode (HTTP, TLS, TLS with Basic auth) by
/// the subclasses below. Base images are seeded by skopeo, and what Drydock pushes is read back by skopeo.
/// </summary>
public abstract class RegistryScenarios(RegistryServer server)
{
    protected RegistryServer Server { get; } = server;

    [RootFact]
    public async Task Pulls_the_seeded_OCI_image_by_tag_and_reads_every_blob_verified()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(Server);
        using var client = Server.CreateClient();

        var image = await RemoteImage.LoadAsync(client, seeded.Reference, Platform.Host, CancellationToken.None);

        Assert.Equal(MediaTypes.OciManifest, image.MediaType);
        Assert.Equal(seeded.ManifestDigest, image.ManifestDigest.ToString());
        Assert.Equal(seeded.ManifestDigest, image.Reference.Digest);
        Assert.Equal(["sh"], image.Config.Config.Cmd);
        Assert.Equal(Platform.Host.Architecture, image.Config.Architecture);
        var layer = Assert.Single(image.Layers);
        var entries = await ReadLayerEntriesAsync(layer);
        Assert.Contains("bin/busybox", entries);
        Assert.Contains("etc/base-marker", entries);
        Assert.Contains("etc/passwd", entries);
    }

    [RootFact]
    public async Task Pulls_the_seeded_OCI_image_by_digest()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(Server);
        using var client = Server.CreateClient();

        var image = await RemoteImage.LoadAsync(client, seeded.ByDigest, Platform.Host, CancellationToken.None);

        Assert.Equal(seeded.ManifestDigest, image.ManifestDigest.ToString());
        Assert.Equal(image.Manifest.Config.Digest, Digest.Sha256(image.RawConfig.Span));
    }

    [RootFact]
    public async Task Pulls_a_Docker_v2s2_image_by_tag_and_by_digest()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(Server, "busybox-docker", format: SeedFormat.DockerV2S2);
        using var client = Server.CreateClient();

        var byTag = await RemoteImage.LoadAsync(client, seeded.Reference, Platform.Host, CancellationToken.None);
        var byDigest = await RemoteImage.LoadAsync(client, seeded.ByDigest, Platform.Host, CancellationToken.None);

        Assert.Equal(MediaTypes.DockerManifest, byTag.MediaType);
        Assert.Equal(MediaTypes.DockerLayerGzip, byTag.Layers[0].Descriptor.MediaType);
        Assert.Equal(seeded.ManifestDigest, byTag.ManifestDigest.ToString());
        Assert.Equal(byTag.ManifestDigest, byDigest.ManifestDigest);
        Assert.Contains("bin/sh", await ReadLayerEntriesAsync(byDigest.Layers[0]));
    }

    [RootTheory]
    [InlineData("linux/amd64", "amd64")]
    [InlineData("linux/arm64", "arm64")]
    [InlineData("linux/arm64/v8", "arm64")]
    public async Task Picks_the_platform_from_an_index(string platform, string architecture)
    {
        var seeded = await BaseImages.SeedMultiArchAsync(Server);
        using var client = Server.CreateClient();

        var image = await RemoteImage.LoadAsync(client, seeded.Reference, Platform.Parse(platform), CancellationToken.None);

        Assert.Equal(architecture, image.Config.Architecture);
        Assert.Equal(architecture == "amd64" ? seeded.Amd64ManifestDigest : seeded.Arm64ManifestDigest, image.ManifestDigest.ToString());
        Assert.Equal(seeded.IndexDigest, image.IndexDigest?.ToString());
        using var blob = await image.Layers[0].OpenCompressedAsync(CancellationToken.None);
        await blob.CopyToAsync(Stream.Null);
    }

    [RootFact]
    public async Task A_platform_the_index_lacks_is_an_error_naming_what_it_offers()
    {
        var seeded = await BaseImages.SeedMultiArchAsync(Server);
        using var client = Server.CreateClient();

        var error = await Assert.ThrowsAsync<RegistryException>(() => RemoteImage.LoadAsync(client, seeded.Reference, Platform.Parse("linux/s390x"), CancellationToken.None));

        Assert.Contains("linux/s390x", error.Message);
        Assert.Contains("linux/amd64", error.Message);
        Assert.Contains("linux/arm64", error.Message);
    }

    [RootFact]
    public async Task A_missing_tag_is_MANIFEST_UNKNOWN()
    {
        await BaseImages.SeedBusyboxAsync(Server);
        using var client = Server.CreateClient();
        var reference = Server.Reference("busybox:no-such-tag");

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(reference, CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.True(error.HasCode("MANIFEST_UNKNOWN"), error.Message);
        Assert.Contains($"pulling manifest {reference}", error.Message);
        Assert.Contains("404 MANIFEST_UNKNOWN: manifest unknown", error.Message);
    }

    [Fact]
    public async Task A_missing_repository_is_a_clear_not_found_error()
    {
        using var client = Server.CreateClient();
        var reference = Server.Reference(RegistryServer.NewRepository("absent") + ":latest");

        var error = await Assert.ThrowsAsync<RegistryException>(() => RemoteImage.LoadAsync(client, reference, Platform.Host, CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.True(error.HasCode("MANIFEST_UNKNOWN") || error.HasCode("NAME_UNKNOWN"), error.Message);
    }

    [RootFact]
    public async Task Pushes_an_image_that_skopeo_reads_back_and_copies_to_an_OCI_layout()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(Server);
        using var clients = new RegistryClientPool(Server.TransportOptions, Server.Keychain);
        var baseImage = await RemoteImage.LoadAsync(clients.For(Server.Host), seeded.Reference, Platform.Host, CancellationToken.None);
        var added = InMemoryLayer.FromFiles(new Dictionary<string, byte[]> { ["app/hello.txt"] = "hello from drydock\n"u8.ToArray() });
        var image = Image.Create(
            baseImage.Config with { History = [.. baseImage.Config.History, new HistoryEntry { CreatedBy = "COPY hello.txt /app/" }] },
            [.. baseImage.Layers, added],
            dockerMediaTypes: false);
        var repository = RegistryServer.NewRepository("push");
        ImageReference[] destinations = [Server.Reference($"{repository}:v1"), Server.Reference($"{repository}:latest")];
        var reports = new List<BlobPushed>();

        var digest = await new ImagePusher(clients).PushAsync(image, destinations, new SyncProgress<BlobPushed>(reports.Add), CancellationToken.None);

        Assert.Equal(image.ManifestDigest, digest);
        Assert.Equal(BlobPushOutcome.Mounted, reports.Single(r => r.Descriptor.Digest == baseImage.Layers[0].Descriptor.Digest).Outcome);
        Assert.Equal(BlobPushOutcome.Uploaded, reports.Single(r => r.Descriptor.Digest == added.Descriptor.Digest).Outcome);
        foreach (var destination in destinations)
        {
            var raw = await ToolRunner.RunCheckedAsync("skopeo", ["inspect", "--raw", .. Server.SkopeoArgs, $"docker://{destination}"], new ToolOptions { Secrets = Server.Secrets });
            Assert.Equal(Encoding.UTF8.GetString(image.RawManifest.Span), raw.StandardOutput.TrimEnd('\n'));
        }

        var config = await ToolRunner.RunCheckedAsync("skopeo", ["inspect", "--config", "--raw", .. Server.SkopeoArgs, $"docker://{destinations[0]}"], new ToolOptions { Secrets = Server.Secrets });
        Assert.Equal(Encoding.UTF8.GetString(image.RawConfig.Span), config.StandardOutput.TrimEnd('\n'));

        using var temp = new TempDirectory();
        await ToolRunner.RunCheckedAsync("skopeo", ["--insecure-policy", "copy", .. Server.SkopeoSourceArgs, $"docker://{destinations[0]}", $"oci:{temp.Combine("layout")}:copied"], new ToolOptions { Secrets = Server.Secrets });
        await ToolRunner.RunCheckedAsync("umoci", ["unpack", "--image", $"{temp.Combine("layout")}:copied", temp.Combine("bundle")]);
        Assert.Equal("hello from drydock\n", await File.ReadAllTextAsync(temp.Combine("bundle", "rootfs", "app", "hello.txt")));
        Assert.True(File.Exists(temp.Combine("bundle", "rootfs", "bin", "busybox")));
    }

    [Fact]
    public async Task A_second_push_of_the_same_image_only_checks_with_HEAD()
    {
        using var clients = new RegistryClientPool(Server.TransportOptions, Server.Keychain);
        var layer = InMemoryLayer.Random();
        var image = Image.Create(new ImageConfig(), [layer], dockerMediaTypes: true);
        var destination = Server.Reference(RegistryServer.NewRepository("again") + ":1");
        var pusher = new ImagePusher(clients);
        await pusher.PushAsync(image, [destination], CancellationToken.None);
        Assert.Equal(1, layer.Opens);
        var reports = new List<BlobPushed>();

        var digest = await pusher.PushAsync(image, [destination], new SyncProgress<BlobPushed>(reports.Add), CancellationToken.None);

        Assert.Equal(image.ManifestDigest, digest);
        Assert.Equal(1, layer.Opens);
        Assert.Equal(2, reports.Count);
        Assert.All(reports, r => Assert.Equal(BlobPushOutcome.AlreadyExists, r.Outcome));
        using var client = Server.CreateClient();
        var manifest = await client.GetManifestAsync(destination, CancellationToken.None);
        Assert.Equal(MediaTypes.DockerManifest, manifest.MediaType);
        Assert.Equal(image.ManifestDigest, manifest.Digest);
    }

    [Fact]
    public async Task Uploads_a_multi_megabyte_blob_in_chunks_and_reads_it_back_verified()
    {
        var patches = 0;
        var options = Server.TransportOptions with { UploadChunkSize = 1024 * 1024 };
        using var transport = new RegistryTransport(options, inner => new CountingHandler(inner, request =>
        {
            if (request.Method == HttpMethod.Patch)
            {
                Interlocked.Increment(ref patches);
            }
        }));
        using var client = new RegistryClient(Server.Host, transport, Server.Keychain);
        var data = RandomNumberGenerator.GetBytes((5 * 1024 * 1024) + 12345);
        var descriptor = new Descriptor { MediaType = "application/octet-stream", Digest = Digest.Sha256(data), Size = data.Length };
        var repository = RegistryServer.NewRepository("chunks");

        var outcome = await client.PushBlobAsync(repository, descriptor, _ => Task.FromResult<Stream>(new MemoryStream(data)), CancellationToken.None);

        Assert.Equal(BlobPushOutcome.UploadedInChunks, outcome);
        Assert.Equal(6, patches);
        Assert.True(await client.BlobExistsAsync(repository, descriptor.Digest, CancellationToken.None));
        await using var read = await client.OpenBlobAsync(repository, descriptor, CancellationToken.None);
        var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(data, copy.ToArray());
        Assert.Equal(BlobPushOutcome.AlreadyExists, await client.PushBlobAsync(repository, descriptor, _ => throw new InvalidOperationException("must not open"), CancellationToken.None));
    }

    protected static async Task<IReadOnlyList<string>> ReadLayerEntriesAsync(ILayer layer)
    {
        var names = new List<string>();
        await using var blob = await layer.OpenCompressedAsync(CancellationToken.None);
        await using var gzip = new GZipStream(blob, CompressionMode.Decompress);
        await using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync() is { } entry)
        {
            names.Add(entry.Name.TrimStart('.', '/').TrimEnd('/'));
        }

        // Drain the gzip trailer and padding so the verifying stream reaches its end and checks the digest.
        await blob.CopyToAsync(Stream.Null);
        return names;
    }
}

[Collection(RegistryCollections.Http)]
public sealed class HttpRegistryScenarios(HttpRegistry server) : RegistryScenarios(server);

[Collection(RegistryCollections.Tls)]
public sealed class TlsRegistryScenarios(TlsRegistry server) : RegistryScenarios(server);

[Collection(RegistryCollections.Auth)]
public sealed class AuthRegistryScenarios(AuthRegistry server) : RegistryScenarios(server);

[Collection(RegistryCollections.MutualTls)]
public sealed class MutualTlsRegistryScenarios(MutualTlsRegistry server) : RegistryScenarios(server);

[Collection(RegistryCollections.TokenAuth)]
public sealed class TokenAuthRegistryScenarios(TokenAuthRegistry server) : RegistryScenarios(server);
