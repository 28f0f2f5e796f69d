using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Auth;
using Drydock.Registry.Errors;
using Drydock.Registry.Transport;

namespace Drydock.IntegrationTests.Registry;

/// <summary>TLS against the registry whose certificate comes from the fixture's private CA.</summary>
[Collection(RegistryCollections.Tls)]
public sealed class TlsTests(TlsRegistry server)
{
    private static readonly RegistryTransportOptions NoRetry = new() { PullRetries = 0, PushRetries = 0 };

    [RootFact]
    public async Task With_the_fixture_CA_the_pull_passes()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var client = new RegistryClient(server.Host, NoRetry.WithRegistryCertificate(server.Host, server.CaCertificatePath!), AnonymousKeychain.Instance);

        var image = await RemoteImage.LoadAsync(client, seeded.Reference, Platform.Host, CancellationToken.None);

        Assert.Equal(seeded.ManifestDigest, image.ManifestDigest.ToString());
    }

    [RootFact]
    public async Task A_CA_directory_works_like_a_CA_file()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var client = new RegistryClient(server.Host, NoRetry.WithRegistryCertificate(server.Host, server.CertDirectory!), AnonymousKeychain.Instance);

        var manifest = await client.GetManifestAsync(seeded.Reference, CancellationToken.None);

        Assert.Equal(seeded.ManifestDigest, manifest.Digest.ToString());
    }

    [RootFact]
    public async Task Without_the_CA_the_pull_fails_with_a_TLS_error_that_says_how_to_fix_it()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var client = new RegistryClient(server.Host, NoRetry, AnonymousKeychain.Instance);

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(seeded.Reference, CancellationToken.None));

        Assert.Null(error.StatusCode);
        Assert.Contains("TLS", error.Message);
        Assert.Contains("not trusted", error.Message);
        Assert.Contains($"--registry-certificate {server.Host}=", error.Message);
        Assert.Contains("--skip-tls-verify", error.Message);
    }

    [RootFact]
    public async Task A_CA_for_another_host_does_not_help()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var client = new RegistryClient(server.Host, NoRetry.WithRegistryCertificate("127.0.0.1:1", server.CaCertificatePath!), AnonymousKeychain.Instance);

        await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(seeded.Reference, CancellationToken.None));
    }

    [RootFact]
    public async Task Skip_tls_verify_pull_passes_globally_and_per_host()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var global = new RegistryClient(server.Host, NoRetry with { SkipTlsVerifyPull = true }, AnonymousKeychain.Instance);
        using var perHost = new RegistryClient(server.Host, NoRetry with { SkipTlsVerifyRegistries = [server.Host] }, AnonymousKeychain.Instance);

        Assert.Equal(seeded.ManifestDigest, (await global.GetManifestAsync(seeded.Reference, CancellationToken.None)).Digest.ToString());
        Assert.Equal(seeded.ManifestDigest, (await perHost.GetManifestAsync(seeded.Reference, CancellationToken.None)).Digest.ToString());
    }

    [RootFact]
    public async Task Skip_tls_verify_is_for_pushing_and_for_pulling_from_the_registries_pushed_to()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        var pushOnly = NoRetry with { SkipTlsVerify = true };
        using var pushing = new RegistryClient(server.Host, pushOnly, AnonymousKeychain.Instance, RegistryDirection.Push);
        using var pullingElsewhere = new RegistryClient(server.Host, pushOnly, AnonymousKeychain.Instance);
        using var pullingFromDestination = new RegistryClient(server.Host, pushOnly with { PushRegistries = [server.Host] }, AnonymousKeychain.Instance);
        var layer = InMemoryLayer.Random();

        Assert.Equal(BlobPushOutcome.Uploaded, await pushing.PushBlobAsync(RegistryServer.NewRepository("skip"), layer.Descriptor, layer.OpenCompressedAsync, CancellationToken.None));
        var refused = await Assert.ThrowsAsync<RegistryException>(() => pullingElsewhere.GetManifestAsync(seeded.Reference, CancellationToken.None));
        Assert.Contains("--skip-tls-verify-pull", refused.Message);
        Assert.Equal(seeded.ManifestDigest, (await pullingFromDestination.GetManifestAsync(seeded.Reference, CancellationToken.None)).Digest.ToString());
    }

    [RootFact]
    public async Task Plain_HTTP_to_a_TLS_registry_is_a_clear_error()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var client = new RegistryClient(server.Host, NoRetry with { InsecurePull = true }, AnonymousKeychain.Instance);

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(seeded.Reference, CancellationToken.None));

        Assert.Contains($"pulling manifest {seeded.Reference}", error.Message);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
    }
}
