using System.Security.Cryptography;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Errors;

namespace Drydock.IntegrationTests.Registry;

/// <summary>
/// What the registry serves is checked, not trusted: content tampered with in the registry's
/// storage fails verification. Uses blobs unique to each test so the shared base image stays intact.
/// </summary>
[Collection(RegistryCollections.Http)]
public sealed class VerificationTests(HttpRegistry server)
{
    [Fact]
    public async Task A_tampered_blob_fails_when_read_to_the_end()
    {
        using var client = server.CreateClient();
        var data = RandomNumberGenerator.GetBytes(64 * 1024);
        var descriptor = new Descriptor { MediaType = "application/octet-stream", Digest = Digest.Sha256(data), Size = data.Length };
        var repository = RegistryServer.NewRepository("tamper");
        await client.PushBlobAsync(repository, descriptor, _ => Task.FromResult<Stream>(new MemoryStream(data)), CancellationToken.None);
        Tamper(descriptor.Digest);

        await using var blob = await client.OpenBlobAsync(repository, descriptor, CancellationToken.None);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => blob.CopyToAsync(Stream.Null));

        Assert.Contains(descriptor.Digest.ToString(), error.Message);
    }

    [Fact]
    public async Task A_tampered_manifest_fails_by_digest_and_by_tag()
    {
        using var clients = new RegistryClientPool(server.TransportOptions, server.Keychain);
        var image = Image.Create(new ImageConfig(), [InMemoryLayer.Random()], dockerMediaTypes: false);
        var reference = server.Reference(RegistryServer.NewRepository("tamper") + ":v1");
        await new ImagePusher(clients).PushAsync(image, [reference], CancellationToken.None);
        TamperKeepingJsonValid(image.ManifestDigest);
        var client = clients.For(reference);

        var byDigest = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(reference.WithDigest(image.ManifestDigest.ToString()), CancellationToken.None));
        var byTag = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(reference, CancellationToken.None));

        Assert.Contains($"not the requested {image.ManifestDigest}", byDigest.Message);
        Assert.Contains($"states digest {image.ManifestDigest}", byTag.Message);
    }

    [RootFact]
    public async Task A_layer_with_a_wrong_digest_in_its_descriptor_fails()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var client = server.CreateClient();
        var image = await RemoteImage.LoadAsync(client, seeded.Reference, Platform.Host, CancellationToken.None);
        var real = image.Layers[0].Descriptor;
        var lying = real with { Size = real.Size + 1 };

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.OpenBlobAsync(seeded.Reference.Repository, lying, CancellationToken.None));

        Assert.Contains($"states {lying.Size}", error.Message);
    }

    /// <summary>
    /// Changes the first digit of the first "size" in a stored manifest: still JSON the registry can
    /// parse and serve (it refuses unparsable ones with a 500), but no longer the content of its digest.
    /// </summary>
    private void TamperKeepingJsonValid(Digest digest)
    {
        var path = BlobPath(digest);
        var text = File.ReadAllText(path);
        var at = text.IndexOf("\"size\":", StringComparison.Ordinal) + "\"size\":".Length;
        var changed = (char)('1' + ((text[at] - '0') % 9));
        File.WriteAllText(path, text[..at] + changed + text[(at + 1)..]);
    }

    /// <summary>Flips the first byte of a stored blob, keeping its size, behind the registry's back.</summary>
    private void Tamper(Digest digest)
    {
        var path = BlobPath(digest);
        var bytes = File.ReadAllBytes(path);
        bytes[0] ^= 0xff;
        File.WriteAllBytes(path, bytes);
    }

    private string BlobPath(Digest digest) =>
        Path.Combine(server.StorageDirectory, "docker", "registry", "v2", "blobs", digest.Algorithm, digest.Hex[..2], digest.Hex, "data");
}
