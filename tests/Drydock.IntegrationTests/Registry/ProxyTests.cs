using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Errors;
using Drydock.Registry.Transport;

namespace Drydock.IntegrationTests.Registry;

/// <summary>
/// Registries behind a forward proxy named by HTTP_PROXY / HTTPS_PROXY. The registry is addressed
/// as <c>registry.test:PORT</c>, a name only the proxy "resolves" (to loopback): a request that
/// skipped the proxy could not connect at all.
/// </summary>
[Collection(RegistryCollections.Tls)]
public sealed class ProxyTests(TlsRegistry server)
{
    private string ProxiedHost => $"registry.test:{server.Port}";

    [RootFact]
    public async Task HTTPS_goes_through_a_CONNECT_tunnel_with_the_proxy_credentials_from_its_URL()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var proxy = new ForwardProxy("proxy-user", "proxy-pw");
        var options = Options($"http://proxy-user:proxy-pw@127.0.0.1:{proxy.Port}");
        using var clients = new RegistryClientPool(options, server.Keychain);
        var source = ImageReference.Parse($"{ProxiedHost}/{seeded.Reference.Repository}:{seeded.Reference.Tag}");
        var destination = ImageReference.Parse($"{ProxiedHost}/{RegistryServer.NewRepository("proxied")}:v1");

        var image = await RemoteImage.LoadAsync(clients.For(source), source, Platform.Host, CancellationToken.None);
        var added = Image.Create(image.Config, [.. image.Layers, InMemoryLayer.Random()], dockerMediaTypes: false);
        await new ImagePusher(clients).PushAsync(added, [destination], CancellationToken.None);

        Assert.Equal(seeded.ManifestDigest, image.ManifestDigest.ToString());
        Assert.All(proxy.Targets, target => Assert.Equal($"CONNECT {ProxiedHost}", target));
        Assert.NotEmpty(proxy.Targets);
        Assert.True(proxy.Refused > 0, "the proxy never asked for credentials");
        var raw = await ToolRunner.RunCheckedAsync("skopeo", ["inspect", "--raw", .. server.SkopeoArgs, $"docker://{server.Host}/{destination.Repository}:v1"]);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(added.RawManifest.Span), raw.StandardOutput.TrimEnd('\n'));
    }

    [RootFact]
    public async Task Plain_HTTP_goes_through_the_proxy_as_absolute_form_requests()
    {
        await using var plain = await RegistryServer.StartAsync(RegistryMode.Http);
        var seeded = await BaseImages.SeedBusyboxAsync(plain);
        using var proxy = new ForwardProxy();
        var host = $"registry.test:{plain.Port}";
        var options = new RegistryTransportOptions { InsecureRegistries = [host], PullRetries = 0, Proxy = Proxy("HTTP_PROXY", proxy.Url.ToString()) };
        using var client = new RegistryClient(host, options, plain.Keychain);

        var manifest = await client.GetManifestAsync(ImageReference.Parse($"{host}/{seeded.Reference.Repository}:latest"), CancellationToken.None);

        Assert.Equal(seeded.ManifestDigest, manifest.Digest.ToString());
        Assert.Contains($"GET http://{host}/v2/{seeded.Reference.Repository}/manifests/latest", proxy.Targets);
    }

    [RootFact]
    public async Task Loopback_and_NO_PROXY_hosts_go_direct()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var proxy = new ForwardProxy();
        var options = server.TransportOptions with { Proxy = Proxy("HTTPS_PROXY", proxy.Url.ToString()) };
        using var client = new RegistryClient(server.Host, options, server.Keychain);

        var manifest = await client.GetManifestAsync(seeded.Reference, CancellationToken.None);

        Assert.Equal(seeded.ManifestDigest, manifest.Digest.ToString());
        Assert.Empty(proxy.Targets);
    }

    [RootFact]
    public async Task A_refused_proxy_login_is_a_clear_error_that_never_shows_the_password()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var proxy = new ForwardProxy("proxy-user", "the-right-one");
        var options = Options($"http://proxy-user:wrong-proxy-pw@127.0.0.1:{proxy.Port}") with { PullRetries = 0 };
        using var client = new RegistryClient(ProxiedHost, options, server.Keychain);

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(ImageReference.Parse($"{ProxiedHost}/{seeded.Reference.Repository}:latest"), CancellationToken.None));

        Assert.Contains(ProxiedHost, error.Message);
        Assert.Contains("the proxy refused the tunnel to", error.Message);
        Assert.Contains("407", error.Message);
        Assert.DoesNotContain("wrong-proxy-pw", error.ToString());
    }

    [RootFact]
    public async Task The_drydock_command_takes_its_proxy_from_HTTPS_PROXY()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var proxy = new ForwardProxy();
        var reference = $"{ProxiedHost}/{seeded.Reference.Repository}:latest";

        var result = await DrydockRunner.RunAsync(DrydockRunner.ExecutablePath,
            ["image", "inspect", "--registry-certificate", $"{ProxiedHost}={server.CaCertificatePath}", reference],
            new Dictionary<string, string?> { ["HTTPS_PROXY"] = proxy.Url.ToString(), ["NO_PROXY"] = "example.com" });

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains(seeded.ManifestDigest, result.StandardOutput);
        Assert.Contains($"CONNECT {ProxiedHost}", proxy.Targets);
    }

    private RegistryTransportOptions Options(string proxyUrl) =>
        new RegistryTransportOptions { PullRetries = 1, PushRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(50), Proxy = Proxy("HTTPS_PROXY", proxyUrl) }
            .WithRegistryCertificate(ProxiedHost, server.CaCertificatePath!);

    private static ProxySettings Proxy(string variable, string url) =>
        ProxySettings.FromEnvironment(name => name == variable ? url : null)!;
}
