using System.Net;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Errors;
using Drydock.Registry.Transport;

namespace Drydock.IntegrationTests.Registry;

/// <summary>Pushing one image to several registries and repositories at once.</summary>
[Collection(RegistryCollections.Http)]
public sealed class ImagePusherTests(HttpRegistry server)
{
    [Fact]
    public async Task Pushes_to_two_registries_and_mounts_within_one()
    {
        await using var second = await RegistryServer.StartAsync(RegistryMode.Http);
        var options = new RegistryTransportOptions { InsecureRegistries = [server.Host, second.Host], PullRetries = 0, PushRetries = 0 };
        using var clients = new RegistryClientPool(options, server.Keychain);
        var layer = InMemoryLayer.Random(size: 4096);
        var image = Image.Create(new ImageConfig { Config = new ContainerConfig { Cmd = ["sh"] } }, [layer], dockerMediaTypes: false);
        var repository = RegistryServer.NewRepository("multi-dest");
        ImageReference[] destinations =
        [
            server.Reference($"{repository}:a"),
            server.Reference($"{repository}-copy:b"),
            second.Reference($"{repository}:c"),
        ];
        var reports = new List<BlobPushed>();

        var digest = await new ImagePusher(clients).PushAsync(image, destinations, new SyncProgress<BlobPushed>(reports.Add), CancellationToken.None);

        foreach (var destination in destinations)
        {
            var manifest = await clients.For(destination).GetManifestAsync(destination, CancellationToken.None);
            Assert.Equal(digest, manifest.Digest);
        }

        Assert.Equal(BlobPushOutcome.Mounted, reports.Single(r => r.Repository == $"{repository}-copy" && r.Descriptor.Digest == layer.Descriptor.Digest).Outcome);
        Assert.Equal(2, layer.Opens);
    }

    [Fact]
    public async Task No_tag_is_written_anywhere_when_a_destination_cannot_take_the_blobs()
    {
        using var reserved = new RefusingPort();
        var goneHost = reserved.Host;
        var options = new RegistryTransportOptions { InsecureRegistries = [server.Host, goneHost], PullRetries = 0, PushRetries = 0 };
        using var clients = new RegistryClientPool(options, server.Keychain);
        var image = Image.Create(new ImageConfig(), [InMemoryLayer.Random()], dockerMediaTypes: false);
        var good = server.Reference(RegistryServer.NewRepository("half") + ":v1");
        var unreachable = ImageReference.Parse($"{goneHost}/half:v1");

        var error = await Assert.ThrowsAsync<RegistryException>(() => new ImagePusher(clients).PushAsync(image, [good, unreachable], CancellationToken.None));

        Assert.Contains($"cannot connect to {goneHost}", error.Message);
        var missing = await Assert.ThrowsAsync<RegistryException>(() => clients.For(good).GetManifestAsync(good, CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_destination_pinned_to_another_digest_is_refused_before_any_upload()
    {
        using var clients = new RegistryClientPool(server.TransportOptions, server.Keychain);
        var layer = InMemoryLayer.Random();
        var image = Image.Create(new ImageConfig(), [layer], dockerMediaTypes: false);
        var pinned = server.Reference(RegistryServer.NewRepository("pinned") + ":v1").WithDigest("sha256:" + new string('0', 64));

        var error = await Assert.ThrowsAsync<RegistryException>(() => new ImagePusher(clients).PushAsync(image, [pinned], CancellationToken.None));

        Assert.Contains(image.ManifestDigest.ToString(), error.Message);
        Assert.Equal(0, layer.Opens);
    }

    [Fact]
    public async Task Pushes_by_digest_when_the_destination_has_no_tag()
    {
        using var clients = new RegistryClientPool(server.TransportOptions, server.Keychain);
        var image = Image.Create(new ImageConfig(), [InMemoryLayer.Random()], dockerMediaTypes: false);
        var repository = RegistryServer.NewRepository("bydigest");
        var destination = ImageReference.Parse($"{server.Host}/{repository}@{image.ManifestDigest}");

        await new ImagePusher(clients).PushAsync(image, [destination], CancellationToken.None);

        var raw = await ToolRunner.RunCheckedAsync("skopeo", ["inspect", "--raw", .. server.SkopeoArgs, $"docker://{destination}"]);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(image.RawManifest.Span), raw.StandardOutput.TrimEnd('\n'));
    }
}
