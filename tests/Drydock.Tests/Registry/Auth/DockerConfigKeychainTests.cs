using System.Text;
using Drydock.Registry.Auth;

namespace Drydock.Tests.Registry.Auth;

public sealed class DockerConfigKeychainTests : IDisposable
{
    private readonly TempDirectory _dir = new("drydock-keychain-");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Reads_base64_auth_as_user_and_password()
    {
        var keychain = Keychain($$"""{"auths":{"registry.example.com":{"auth":"{{B64("alice:s3cr:et")}}"} } }""");

        var credential = await keychain.ResolveAsync("registry.example.com", CancellationToken.None);

        Assert.Equal("alice", credential?.Username);
        Assert.Equal("s3cr:et", credential?.Password);
    }

    [Fact]
    public async Task Reads_separate_username_and_password_and_identity_tokens()
    {
        var keychain = Keychain("""
            {"auths":{
              "one.example.com":{"username":"bob","password":"pw"},
              "two.example.com":{"auth":"PHRva2VuPjo=","identitytoken":"refresh-me"},
              "three.example.com":{"registrytoken":"bearer-me"}
            }}
            """);

        var one = await keychain.ResolveAsync("one.example.com", CancellationToken.None);
        var two = await keychain.ResolveAsync("two.example.com", CancellationToken.None);
        var three = await keychain.ResolveAsync("three.example.com", CancellationToken.None);

        Assert.Equal(("bob", "pw"), (one?.Username, one?.Password));
        Assert.Equal("<token>", two?.Username);
        Assert.Equal("refresh-me", two?.IdentityToken);
        Assert.Equal("bearer-me", three?.RegistryToken);
    }

    [Theory]
    [InlineData("https://index.docker.io/v1/", "docker.io")]
    [InlineData("https://index.docker.io/v1/", "index.docker.io")]
    [InlineData("https://index.docker.io/v1/", "registry-1.docker.io")]
    [InlineData("docker.io", "docker.io")]
    [InlineData("http://127.0.0.1:5000", "127.0.0.1:5000")]
    [InlineData("https://my.registry:5000/v2/", "my.registry:5000")]
    [InlineData("My.Registry", "my.registry")]
    public async Task Normalises_config_keys_to_hosts(string key, string registry)
    {
        var keychain = Keychain($$"""{"auths":{"{{key}}":{"auth":"{{B64("u:p")}}"} } }""");

        Assert.Equal("u", (await keychain.ResolveAsync(registry, CancellationToken.None))?.Username);
    }

    [Fact]
    public async Task A_key_written_as_the_bare_host_wins_over_other_spellings()
    {
        var keychain = Keychain($$"""{"auths":{"https://host:5000/v1/":{"auth":"{{B64("url:p")}}"},"host:5000":{"auth":"{{B64("bare:p")}}"} } }""");

        Assert.Equal("bare", (await keychain.ResolveAsync("host:5000", CancellationToken.None))?.Username);
    }

    [Fact]
    public async Task Unknown_registries_and_empty_entries_resolve_to_null()
    {
        var keychain = Keychain("""{"auths":{"a.example.com":{},"b.example.com":{"email":"x@y"}},"credsStore":"desktop"}""");

        Assert.Null(await keychain.ResolveAsync("a.example.com", CancellationToken.None));
        Assert.Null(await keychain.ResolveAsync("c.example.com", CancellationToken.None));
    }

    [Fact]
    public async Task The_first_existing_file_wins_and_missing_ones_are_skipped()
    {
        var first = Write("first.json", $$"""{"auths":{"h":{"auth":"{{B64("first:p")}}"} } }""");
        var second = Write("second.json", $$"""{"auths":{"h":{"auth":"{{B64("second:p")}}"} } }""");
        var keychain = new DockerConfigKeychain([Path.Combine(_dir, "missing.json"), Path.Combine(_dir, "nodir", "config.json"), first, second]);

        Assert.Equal("first", (await keychain.ResolveAsync("h", CancellationToken.None))?.Username);
        Assert.Equal(first, keychain.ConfigFileUsed);
    }

    [Fact]
    public async Task No_file_at_all_means_anonymous()
    {
        var keychain = new DockerConfigKeychain([Path.Combine(_dir, "missing.json")]);

        Assert.Null(await keychain.ResolveAsync("docker.io", CancellationToken.None));
        Assert.Null(keychain.ConfigFileUsed);
    }

    [Fact]
    public void Default_paths_follow_DOCKER_CONFIG_then_home_then_kaniko()
    {
        var withVariable = DockerConfigKeychain.DefaultConfigPaths(name => name == "DOCKER_CONFIG" ? "/cfg" : null, "/home/me");
        var withoutVariable = DockerConfigKeychain.DefaultConfigPaths(_ => null, "/home/me");

        Assert.Equal(["/cfg/config.json", "/kaniko/.docker/config.json"], withVariable);
        Assert.Equal(["/home/me/.docker/config.json", "/kaniko/.docker/config.json"], withoutVariable);
    }

    [Fact]
    public async Task Bad_base64_is_an_error_naming_file_and_key_but_not_the_value()
    {
        var keychain = Keychain("""{"auths":{"h.example.com":{"auth":"!!not-base64-secret!!"}}}""");

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await keychain.ResolveAsync("h.example.com", CancellationToken.None));

        Assert.Contains("h.example.com", error.Message);
        Assert.Contains(_dir, error.Message);
        Assert.DoesNotContain("secret", error.Message);
    }

    [Fact]
    public async Task Base64_without_a_colon_is_an_error()
    {
        var keychain = Keychain($$"""{"auths":{"h":{"auth":"{{B64("justapassword")}}"} } }""");

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await keychain.ResolveAsync("h", CancellationToken.None));

        Assert.Contains("user:password", error.Message);
        Assert.DoesNotContain("justapassword", error.Message);
    }

    [Fact]
    public async Task Malformed_json_is_an_error_that_does_not_quote_the_file()
    {
        var keychain = Keychain("""{"auths": {"h": {"password": "leaky" """);

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await keychain.ResolveAsync("h", CancellationToken.None));

        Assert.Contains("not a valid Docker config file", error.Message);
        Assert.DoesNotContain("leaky", error.ToString().Replace(error.InnerException?.ToString() ?? "", ""));
    }

    [Fact]
    public void Credential_ToString_hides_secrets()
    {
        var text = new Credential { Username = "u", Password = "pw-123", IdentityToken = "id-456", RegistryToken = "rt-789" }.ToString();

        Assert.Contains("u", text);
        Assert.DoesNotContain("pw-123", text);
        Assert.DoesNotContain("id-456", text);
        Assert.DoesNotContain("rt-789", text);
    }

    [Fact]
    public async Task Static_and_composite_keychains_answer_in_order()
    {
        var keychain = new CompositeKeychain(
            new StaticKeychain("https://index.docker.io/v1/", Credential.Basic("hub", "p")),
            new StaticKeychain("other:5000", Credential.Basic("other", "p")));

        Assert.Equal("hub", (await keychain.ResolveAsync("docker.io", CancellationToken.None))?.Username);
        Assert.Equal("other", (await keychain.ResolveAsync("other:5000", CancellationToken.None))?.Username);
        Assert.Null(await keychain.ResolveAsync("third", CancellationToken.None));
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    // An empty helper search path: no test ever runs a helper installed on the host.
    private DockerConfigKeychain Keychain(string json) => new([Write("config.json", json)], helperSearchPath: "");

    private string Write(string name, string json)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return path;
    }
}
