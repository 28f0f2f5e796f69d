using System.Text;
using Drydock.Registry.Auth;
using Drydock.Registry.Errors;

namespace Drydock.Tests.Registry.Auth;

/// <summary>
/// The credential-helper side of <see cref="DockerConfigKeychain"/>, against small shell scripts
/// named <c>docker-credential-NAME</c> in a directory given as the helper search path.
/// </summary>
public sealed class CredentialHelperTests : IDisposable
{
    private readonly TempDirectory _dir = new("drydock-helpers-");

    public void Dispose() => _dir.Dispose();

    private string Bin => Path.Combine(_dir, "bin");

    private string CallLog => Path.Combine(_dir, "calls.log");

    [Fact]
    public async Task A_credHelpers_entry_asks_that_helper_with_the_registry_host()
    {
        Helper("test", """printf '{"ServerURL":"%s","Username":"alice","Secret":"s3cret"}' "$server" """);
        var keychain = Keychain("""{"credHelpers":{"reg.example.com:5000":"test"}}""");

        var credential = await keychain.ResolveAsync("reg.example.com:5000", CancellationToken.None);

        Assert.Equal(("alice", "s3cret"), (credential?.Username, credential?.Password));
        Assert.Equal(["test get reg.example.com:5000"], Calls());
    }

    [Fact]
    public async Task The_credsStore_answers_for_every_registry_and_Docker_Hub_is_asked_by_its_v1_URL()
    {
        Helper("store", """printf '{"Username":"hub-user","Secret":"hub-pw"}'""");
        var keychain = Keychain("""{"credsStore":"store"}""");

        var credential = await keychain.ResolveAsync("index.docker.io", CancellationToken.None);

        Assert.Equal("hub-user", credential?.Username);
        Assert.Equal(["store get https://index.docker.io/v1/"], Calls());
    }

    [Fact]
    public async Task A_credHelpers_entry_wins_over_the_credsStore_and_over_auths()
    {
        Helper("store", """printf '{"Username":"from-store","Secret":"x"}'""");
        Helper("special", """printf '{"Username":"from-special","Secret":"y"}'""");
        var keychain = Keychain($$"""{"credsStore":"store","credHelpers":{"https://special.example.com":"special"},"auths":{"special.example.com":{"auth":"{{B64("from-file:z")}}"} } }""");

        Assert.Equal("from-special", (await keychain.ResolveAsync("special.example.com", CancellationToken.None))?.Username);
        Assert.Equal("from-store", (await keychain.ResolveAsync("other.example.com", CancellationToken.None))?.Username);
    }

    [Fact]
    public async Task The_token_user_makes_the_secret_an_identity_token()
    {
        Helper("test", """printf '{"Username":"<token>","Secret":"refresh-123"}'""");
        var keychain = Keychain("""{"credHelpers":{"h.example.com":"test"}}""");

        var credential = await keychain.ResolveAsync("h.example.com", CancellationToken.None);

        Assert.Equal("refresh-123", credential?.IdentityToken);
        Assert.False(credential?.HasPassword);
    }

    [Fact]
    public async Task Not_found_falls_back_to_the_auths_entry_or_anonymous()
    {
        Helper("test", """echo "credentials not found in native keychain"; exit 1""");
        var keychain = Keychain($$"""{"credsStore":"test","auths":{"known.example.com":{"auth":"{{B64("filed:pw")}}"} } }""");

        Assert.Equal("filed", (await keychain.ResolveAsync("known.example.com", CancellationToken.None))?.Username);
        Assert.Null(await keychain.ResolveAsync("unknown.example.com", CancellationToken.None));
    }

    [Fact]
    public async Task Each_registry_is_asked_once()
    {
        Helper("test", """printf '{"Username":"u","Secret":"p"}'""");
        var keychain = Keychain("""{"credsStore":"test"}""");

        await keychain.ResolveAsync("a.example.com", CancellationToken.None);
        await keychain.ResolveAsync("a.example.com", CancellationToken.None);
        await keychain.ResolveAsync("b.example.com", CancellationToken.None);

        Assert.Equal(["test get a.example.com", "test get b.example.com"], Calls());
    }

    [Fact]
    public async Task A_failing_helper_is_an_error_naming_it_and_quoting_its_error_but_no_secret()
    {
        Helper("test", """echo "token service unreachable" >&2; exit 3""");

        var error = await ResolveFailsAsync("""{"credHelpers":{"h.example.com":"test"}}""");

        Assert.Equal("getting credentials for h.example.com from docker-credential-test: the helper exited with 3: token service unreachable", error.Message);
    }

    [Fact]
    public async Task Garbage_output_is_an_error_that_does_not_quote_it()
    {
        Helper("test", """printf 'Secret=leaked-value'""");

        var error = await ResolveFailsAsync("""{"credHelpers":{"h.example.com":"test"}}""");

        Assert.Contains("not the expected JSON", error.Message);
        Assert.DoesNotContain("leaked-value", error.Message);
    }

    [Fact]
    public async Task A_missing_helper_named_for_the_registry_is_an_error()
    {
        var error = await ResolveFailsAsync("""{"credHelpers":{"h.example.com":"absent"}}""");

        Assert.Contains("docker-credential-absent", error.Message);
        Assert.Contains("credHelpers", error.Message);
    }

    [Fact]
    public async Task A_missing_credsStore_falls_back_to_auths()
    {
        var keychain = Keychain($$"""{"credsStore":"desktop","auths":{"h.example.com":{"auth":"{{B64("filed:pw")}}"} } }""");

        Assert.Equal("filed", (await keychain.ResolveAsync("h.example.com", CancellationToken.None))?.Username);
    }

    [Fact]
    public async Task A_helper_name_with_a_slash_is_never_run()
    {
        await ResolveFailsAsync("""{"credHelpers":{"h.example.com":"../../bin/sh"}}""");
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>Writes <c>bin/docker-credential-NAME</c>: it logs "NAME ARGS SERVER", then runs <paramref name="body"/> with $server set.</summary>
    private void Helper(string name, string body)
    {
        Directory.CreateDirectory(Bin);
        var path = Path.Combine(Bin, "docker-credential-" + name);
        File.WriteAllText(path, $"#!/bin/sh\nserver=$(cat)\necho \"{name} $* $server\" >> '{CallLog}'\n{body}\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    private string[] Calls() => File.Exists(CallLog) ? File.ReadAllLines(CallLog) : [];

    /// <summary>Asking a keychain made of <paramref name="json"/> for h.example.com fails; the failure.</summary>
    private Task<RegistryException> ResolveFailsAsync(string json)
    {
        var keychain = Keychain(json);
        return Assert.ThrowsAsync<RegistryException>(async () => await keychain.ResolveAsync("h.example.com", CancellationToken.None));
    }

    private DockerConfigKeychain Keychain(string json)
    {
        var config = Path.Combine(_dir, "config.json");
        File.WriteAllText(config, json);
        return new DockerConfigKeychain([config], Bin);
    }
}
