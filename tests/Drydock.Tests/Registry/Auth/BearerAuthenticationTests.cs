using System.Net;
using System.Text;
using Drydock.Oci;
using Drydock.Reference;
using Drydock.Registry;
using Drydock.Registry.Auth;
using Drydock.Registry.Errors;
using Drydock.Registry.Transport;

namespace Drydock.Tests.Registry.Auth;

/// <summary>
/// Bearer (token) auth against an in-process registry and token service on loopback. Basic auth
/// against the real registry is in Drydock.IntegrationTests: Registry/AuthTests.
/// </summary>
public sealed class BearerAuthenticationTests
{
    [Fact]
    public async Task Gets_an_anonymous_token_for_the_pull_scope_and_pulls()
    {
        using var stub = new TokenRegistryStub();
        using var client = Client(stub, AnonymousKeychain.Instance);

        var manifest = await client.GetManifestAsync(Reference(stub, "team/app:v1"), CancellationToken.None);

        Assert.Equal(MediaTypes.OciManifest, manifest.MediaType);
        var request = Assert.Single(stub.TokenRequests);
        Assert.Equal("GET", request.Method);
        Assert.Equal(TokenRegistryStub.Service, request.Service);
        Assert.Equal(["repository:team/app:pull"], request.Scopes);
        Assert.Null(request.Authorization);
    }

    [Fact]
    public async Task Sends_basic_credentials_to_the_token_service_only()
    {
        using var stub = new TokenRegistryStub { RequiredCredentials = ("alice", "wonderland") };
        using var client = Client(stub, new StaticKeychain($"127.0.0.1:{stub.Port}", Credential.Basic("alice", "wonderland")));

        await client.GetManifestAsync(Reference(stub, "app:v1"), CancellationToken.None);

        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:wonderland"));
        Assert.Equal(expected, Assert.Single(stub.TokenRequests).Authorization);
        Assert.DoesNotContain(stub.RegistryAuthorizations, a => a?.StartsWith("Basic", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Caches_the_token_per_scope_and_sends_it_up_front()
    {
        using var stub = new TokenRegistryStub();
        using var client = Client(stub, AnonymousKeychain.Instance);

        await client.GetManifestAsync(Reference(stub, "app:v1"), CancellationToken.None);
        await client.GetManifestAsync(Reference(stub, "app:v2"), CancellationToken.None);
        await client.BlobExistsAsync("app", Digest.Sha256("x"u8), CancellationToken.None);

        Assert.Single(stub.TokenRequests);
        Assert.Equal(4, stub.RegistryAuthorizations.Count);
        Assert.Null(stub.RegistryAuthorizations.First());
        Assert.All(stub.RegistryAuthorizations.Skip(1), a => Assert.StartsWith("Bearer token-1", a));
    }

    [Fact]
    public async Task Asks_for_pull_and_push_when_pushing_and_for_each_repository_apart()
    {
        using var stub = new TokenRegistryStub();
        using var client = Client(stub, AnonymousKeychain.Instance);
        var layer = Encoding.UTF8.GetBytes("layer");

        await client.GetManifestAsync(Reference(stub, "app:v1"), CancellationToken.None);
        await Assert.ThrowsAsync<RegistryException>(() => client.PushBlobAsync(
            "app",
            new Descriptor { MediaType = "application/octet-stream", Digest = Digest.Sha256(layer), Size = layer.Length },
            _ => Task.FromResult<Stream>(new MemoryStream(layer)),
            CancellationToken.None));
        await client.GetManifestAsync(Reference(stub, "other:v1"), CancellationToken.None);

        Assert.Equal(
            [["repository:app:pull"], ["repository:app:pull,push"], ["repository:other:pull"]],
            stub.TokenRequests.Select(r => r.Scopes.ToArray()).ToArray());
    }

    [Fact]
    public async Task Accepts_access_token_replies()
    {
        using var stub = new TokenRegistryStub { UseAccessTokenField = true };
        using var client = Client(stub, AnonymousKeychain.Instance);

        var manifest = await client.GetManifestAsync(Reference(stub, "app:v1"), CancellationToken.None);

        Assert.Equal(TokenRegistryStub.Manifest, Encoding.UTF8.GetString(manifest.Bytes.Span));
    }

    [Fact]
    public async Task Fetches_a_new_token_once_the_old_one_expired()
    {
        using var stub = new TokenRegistryStub { ExpiresIn = 60 };
        var clock = new ManualClock();
        using var transport = new RegistryTransport(Options(stub));
        var handler = new AuthenticationHandler(stub.Host, AnonymousKeychain.Instance, uri => transport.HandlerFor(uri, RegistryDirection.Pull), clock) { InnerHandler = transport.HandlerFor(stub.Host, RegistryDirection.Pull) };
        using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);

        await SendAsync(invoker, stub);
        clock.Advance(TimeSpan.FromSeconds(30));
        await SendAsync(invoker, stub);
        clock.Advance(TimeSpan.FromSeconds(31));
        await SendAsync(invoker, stub);

        Assert.Equal(2, stub.TokenRequests.Count);
        Assert.Equal(2, handler.TokensFetched);
    }

    [Fact]
    public async Task A_refused_cached_token_is_replaced_and_the_request_sent_again()
    {
        using var stub = new TokenRegistryStub();
        using var client = Client(stub, AnonymousKeychain.Instance);
        await client.GetManifestAsync(Reference(stub, "app:v1"), CancellationToken.None);
        stub.RevokeAll();

        var manifest = await client.GetManifestAsync(Reference(stub, "app:v1"), CancellationToken.None);

        Assert.Equal(MediaTypes.OciManifest, manifest.MediaType);
        Assert.Equal(2, stub.TokenRequests.Count);
        Assert.Equal(["Bearer token-1", "Bearer token-2"], stub.RegistryAuthorizations.Skip(2));
    }

    [Fact]
    public async Task Rejected_credentials_are_an_error_naming_the_token_service_without_secrets()
    {
        using var stub = new TokenRegistryStub { RequiredCredentials = ("alice", "wonderland") };
        using var client = Client(stub, new StaticKeychain(stub.Host, Credential.Basic("alice", "looking-glass")));

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Reference(stub, "app:v1"), CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains($"authenticating to {stub.Host} for repository:app:pull", error.Message);
        Assert.Contains($"token from http://127.0.0.1:{stub.Port}/token", error.Message);
        Assert.Contains("401 UNAUTHORIZED: incorrect username or password", error.Message);
        Assert.Contains("rejected", error.Message);
        Assert.DoesNotContain("looking-glass", error.ToString());
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:looking-glass")), error.ToString());
    }

    [Fact]
    public async Task An_identity_token_is_exchanged_with_the_refresh_token_grant()
    {
        using var stub = new TokenRegistryStub { AcceptedRefreshToken = "refresh-xyz" };
        using var client = Client(stub, new StaticKeychain(stub.Host, new Credential { Username = "<token>", IdentityToken = "refresh-xyz" }));

        await client.GetManifestAsync(Reference(stub, "app:v1"), CancellationToken.None);

        var request = Assert.Single(stub.TokenRequests);
        Assert.Equal("POST", request.Method);
        Assert.Contains("grant_type=refresh_token", request.Form);
        Assert.Equal(["repository:app:pull"], request.Scopes);
    }

    [Fact]
    public async Task A_registry_token_is_sent_as_is()
    {
        using var stub = new TokenRegistryStub();
        using var client = Client(stub, new StaticKeychain(stub.Host, new Credential { RegistryToken = "preissued" }));

        await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Reference(stub, "app:v1"), CancellationToken.None));

        Assert.Empty(stub.TokenRequests);
        Assert.Contains("Bearer preissued", stub.RegistryAuthorizations);
    }

    private static RegistryTransportOptions Options(TokenRegistryStub stub) => new() { InsecureRegistries = [stub.Host], PullRetries = 0 };

    private static RegistryClient Client(TokenRegistryStub stub, IKeychain keychain) => new(stub.Host, Options(stub), keychain);

    private static ImageReference Reference(TokenRegistryStub stub, string repositoryAndTag) => ImageReference.Parse($"{stub.Host}/{repositoryAndTag}");

    private static async Task SendAsync(HttpMessageInvoker invoker, TokenRegistryStub stub)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{stub.Host}/v2/app/manifests/v1");
        request.Options.Set(RegistryScope.RequestOption, [RegistryScope.Pull("app")]);
        using var response = await invoker.SendAsync(request, CancellationToken.None);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
