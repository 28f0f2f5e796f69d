using Drydock.Registry;
using Drydock.Registry.Auth;
using Drydock.Registry.Errors;
using Drydock.Registry.Transport;

namespace Drydock.IntegrationTests.Registry;

/// <summary>The registry demands a client certificate from the fixture's CA (distribution's <c>clientcas</c>).</summary>
[Collection(RegistryCollections.MutualTls)]
public sealed class MutualTlsTests(MutualTlsRegistry server)
{
    [RootFact]
    public async Task Without_a_client_certificate_the_error_names_the_flag()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        var options = new RegistryTransportOptions { PullRetries = 0 }.WithRegistryCertificate(server.Host, server.CaCertificatePath!);
        using var client = new RegistryClient(server.Host, options, AnonymousKeychain.Instance);

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(seeded.Reference, CancellationToken.None));

        Assert.True(error.Message.Contains($"TLS handshake with {server.Host} failed", StringComparison.Ordinal), error.Message);
        Assert.Contains($"--registry-client-cert {server.Host}=CERT,KEY", error.Message);
    }

    [RootFact]
    public async Task A_certificate_for_another_host_is_not_presented()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        var options = server.TransportOptions with { ClientCertificates = new Dictionary<string, ClientCertificate> { ["127.0.0.1:1"] = new(server.ClientCertificatePath!, server.ClientKeyPath!) } };
        using var client = new RegistryClient(server.Host, options with { PullRetries = 0 }, AnonymousKeychain.Instance);

        await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(seeded.Reference, CancellationToken.None));
    }

    [Fact]
    public async Task A_push_presents_the_certificate_too()
    {
        using var clients = new RegistryClientPool(server.TransportOptions, server.Keychain);
        var image = Oci.Image.Create(new Oci.ImageConfig(), [InMemoryLayer.Random()], dockerMediaTypes: false);
        var destination = server.Reference(RegistryServer.NewRepository("mtls") + ":v1");

        var digest = await new ImagePusher(clients).PushAsync(image, [destination], CancellationToken.None);

        var raw = await ToolRunner.RunCheckedAsync("skopeo", ["inspect", "--raw", .. server.SkopeoArgs, $"docker://{destination}"]);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(image.RawManifest.Span), raw.StandardOutput.TrimEnd('\n'));
        Assert.Equal(image.ManifestDigest, digest);
    }
}
