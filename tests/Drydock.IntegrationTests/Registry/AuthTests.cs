using System.Net;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Auth;
using Drydock.Registry.Errors;

namespace Drydock.IntegrationTests.Registry;

/// <summary>
/// Basic auth against the real registry (htpasswd), with credentials from config.json, credential
/// helpers or the caller. Bearer tokens against the real registry are in <see cref="TokenAuthTests"/>.
/// </summary>
[Collection(RegistryCollections.Auth)]
public sealed class AuthTests(AuthRegistry server)
{
    [RootFact]
    public async Task Credentials_from_a_config_json_in_DOCKER_CONFIG_pull_and_push()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var dockerConfig = new TempDirectory();
        using var home = new TempDirectory();
        server.WriteDockerConfig(dockerConfig.Path);
        var keychain = new DockerConfigKeychain(DockerConfigKeychain.DefaultConfigPaths(name => name == "DOCKER_CONFIG" ? dockerConfig.Path : null, home.Path));
        using var client = new RegistryClient(server.Host, server.TransportOptions, keychain);

        var image = await RemoteImage.LoadAsync(client, seeded.Reference, Platform.Host, CancellationToken.None);
        var pushed = await client.PutManifestAsync(server.Reference(RegistryServer.NewRepository("keychain") + ":x"), image.RawManifest, image.MediaType, CancellationToken.None)
            .ContinueWith(t => t, TaskScheduler.Default);

        Assert.Equal(seeded.ManifestDigest, image.ManifestDigest.ToString());
        Assert.Equal(Path.Combine(dockerConfig.Path, "config.json"), keychain.ConfigFileUsed);

        // The manifest's blobs are not in the new repository, so the registry refuses it: not an auth failure.
        var refused = Assert.IsType<RegistryException>(pushed.Exception?.InnerException);
        Assert.NotEqual(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.True(refused.HasCode("MANIFEST_BLOB_UNKNOWN"), refused.Message);
    }

    [RootFact]
    public async Task Credentials_from_a_credential_helper_on_PATH_pull_and_push()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var helper = new CredentialHelperScript(new Dictionary<string, (string, string)> { [server.Host] = (server.Username!, server.Password!) });
        using var dockerConfig = new TempDirectory();
        var keychain = new DockerConfigKeychain([CredentialHelperScript.WriteConfig(dockerConfig.Path, server.Host)], helper.SearchPath);
        using var clients = new RegistryClientPool(server.TransportOptions, keychain);
        var destination = server.Reference(RegistryServer.NewRepository("helper") + ":v1");

        var image = await RemoteImage.LoadAsync(clients.For(server.Host), seeded.Reference, Platform.Host, CancellationToken.None);
        await new ImagePusher(clients).PushAsync(image, [destination], CancellationToken.None);

        Assert.Equal(image.ManifestDigest, (await clients.For(server.Host).GetManifestAsync(destination, CancellationToken.None)).Digest);
        Assert.Equal([server.Host], helper.Requests);
    }

    [RootFact]
    public async Task The_drydock_command_finds_a_credential_helper_on_PATH_and_asks_it_once()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var helper = new CredentialHelperScript(new Dictionary<string, (string, string)> { [server.Host] = (server.Username!, server.Password!) });
        using var dockerConfig = new TempDirectory();
        CredentialHelperScript.WriteConfig(dockerConfig.Path, server.Host);
        var destination = server.Reference(RegistryServer.NewRepository("cli-helper") + ":v1");

        var result = await DrydockRunner.RunAsync(DrydockRunner.ExecutablePath,
            ["image", "copy", "--registry-certificate", $"{server.Host}={server.CaCertificatePath}", seeded.Reference.ToString(), destination.ToString()],
            new Dictionary<string, string?> { ["DOCKER_CONFIG"] = dockerConfig.Path, ["PATH"] = helper.SearchPath });

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(seeded.ManifestDigest, result.StandardOutput.Trim());
        Assert.Equal([server.Host], helper.Requests);
        Assert.DoesNotContain(server.Password!, result.StandardError + result.StandardOutput);
    }

    [RootFact]
    public async Task A_wrong_password_is_a_401_that_never_shows_the_password()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        const string wrong = "not-the-password-4711";
        using var client = new RegistryClient(server.Host, server.TransportOptions, new StaticKeychain(server.Host, Credential.Basic(server.Username!, wrong)));

        var error = await Assert.ThrowsAsync<RegistryException>(() => RemoteImage.LoadAsync(client, seeded.Reference, Platform.Host, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains("401 UNAUTHORIZED", error.Message);
        Assert.Contains("rejected", error.Message);
        Assert.DoesNotContain(wrong, error.ToString());
        Assert.DoesNotContain(server.Password!, error.ToString());
    }

    [Fact]
    public async Task A_wrong_password_while_pushing_names_the_blob_and_the_repository()
    {
        const string wrong = "also-wrong-0815";
        using var client = new RegistryClient(server.Host, server.TransportOptions, new StaticKeychain(server.Host, Credential.Basic(server.Username!, wrong)));
        var layer = InMemoryLayer.Random();
        var repository = RegistryServer.NewRepository("denied");

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.PushBlobAsync(repository, layer.Descriptor, layer.OpenCompressedAsync, CancellationToken.None));

        Assert.StartsWith($"checking blob {layer.Descriptor.Digest} in {server.Host}/{repository}: 401", error.Message);
        Assert.DoesNotContain(wrong, error.ToString());
        Assert.Equal(0, layer.Opens);
    }

    [RootFact]
    public async Task Without_credentials_the_error_says_none_were_found()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var client = new RegistryClient(server.Host, server.TransportOptions, AnonymousKeychain.Instance);

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(seeded.Reference, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains($"no credentials for {server.Host} were found", error.Message);
    }
}
