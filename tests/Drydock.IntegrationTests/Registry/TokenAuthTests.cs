using System.Net;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Auth;
using Drydock.Registry.Errors;

namespace Drydock.IntegrationTests.Registry;

/// <summary>
/// Bearer tokens against the real registry in distribution's <c>auth: token</c> mode, with the
/// fixture's token service on loopback (the whole pull/push scenario set also runs there: see
/// <see cref="TokenAuthRegistryScenarios"/>).
/// </summary>
[Collection(RegistryCollections.TokenAuth)]
public sealed class TokenAuthTests(TokenAuthRegistry server)
{
    private TokenService Tokens => server.Tokens!;

    [RootFact]
    public async Task A_push_that_mounts_asks_for_push_and_pull_scopes_together_and_every_token_is_fetched_once()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var clients = new RegistryClientPool(server.TransportOptions, server.Keychain);
        var destination = server.Reference(RegistryServer.NewRepository("token") + ":v1");
        var before = Tokens.Requests.Count;
        var reports = new List<BlobPushed>();

        var image = await RemoteImage.LoadAsync(clients.For(server.Host), seeded.Reference, Platform.Host, CancellationToken.None);
        await new ImagePusher(clients).PushAsync(image, [destination], new SyncProgress<BlobPushed>(reports.Add), CancellationToken.None);

        var requests = Tokens.Requests.Skip(before).ToArray();
        Assert.All(requests, r => Assert.True(r.HadBasicCredentials));
        Assert.Contains(requests, r => r.Scopes.Contains($"repository:{destination.Repository}:pull,push") && r.Scopes.Contains($"repository:{seeded.Reference.Repository}:pull"));
        Assert.All(requests.GroupBy(r => string.Join(' ', r.Scopes.Order())), scopeSet => Assert.Single(scopeSet));
        Assert.Equal(BlobPushOutcome.Mounted, reports.Single(r => r.Descriptor.Digest == image.Layers[0].Descriptor.Digest).Outcome);
        Assert.Equal(image.ManifestDigest, (await clients.For(server.Host).GetManifestAsync(destination, CancellationToken.None)).Digest);
    }

    [RootFact]
    public async Task An_identity_token_from_a_credential_helper_is_exchanged_with_the_refresh_token_grant()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var helper = new CredentialHelperScript(new Dictionary<string, (string, string)> { [server.Host] = ("<token>", Tokens.RefreshToken) });
        using var dockerConfig = new TempDirectory();
        var keychain = new DockerConfigKeychain([CredentialHelperScript.WriteConfig(dockerConfig.Path, server.Host)], helper.SearchPath);
        using var client = server.CreateClient(keychain: keychain);
        var before = Tokens.Requests.Count;

        var manifest = await client.GetManifestAsync(seeded.Reference, CancellationToken.None);

        Assert.Equal(seeded.ManifestDigest, manifest.Digest.ToString());
        var request = Assert.Single(Tokens.Requests.Skip(before));
        Assert.Equal(("POST", "refresh_token", false), (request.Method, request.GrantType, request.HadBasicCredentials));
    }

    [RootFact]
    public async Task A_wrong_password_is_refused_by_the_token_service_and_never_shown()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        const string wrong = "token-wrong-9137";
        using var client = server.CreateClient(keychain: new StaticKeychain(server.Host, Credential.Basic(server.Username!, wrong)));

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(seeded.Reference, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains($"token from {Tokens.Realm}", error.Message);
        Assert.Contains("rejected", error.Message);
        Assert.DoesNotContain(wrong, error.ToString());
        Assert.DoesNotContain(server.Password!, error.ToString());
    }

    [RootFact]
    public async Task An_anonymous_token_without_access_is_a_401_saying_no_credentials_were_found()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var client = server.CreateClient(keychain: AnonymousKeychain.Instance);

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(seeded.Reference, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains($"no credentials for {server.Host} were found", error.Message);
    }
}
