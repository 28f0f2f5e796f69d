using System.Net;
using Drydock.Registry.Errors;
using Drydock.Registry.Transport;

namespace Drydock.Tests.Registry.Transport;

public sealed class MirrorHandlerTests
{
    private static readonly Uri Manifest = new("https://registry-1.docker.io/v2/library/busybox/manifests/latest");

    [Fact]
    public async Task A_mirror_that_has_the_image_answers_and_the_registry_is_not_asked()
    {
        var origin = new Recorder(HttpStatusCode.OK);
        var mirror = new Recorder(HttpStatusCode.OK);
        using var invoker = Invoker(origin, fallBack: true, (Mirror("mirror.example.com"), mirror));

        using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, Manifest), CancellationToken.None);

        Assert.Equal(["https://mirror.example.com/v2/library/busybox/manifests/latest"], mirror.Uris);
        Assert.Empty(origin.Uris);
    }

    [Fact]
    public async Task Mirrors_are_tried_in_order_and_the_registry_answers_last()
    {
        var origin = new Recorder(HttpStatusCode.OK);
        var first = new Recorder(HttpStatusCode.NotFound);
        var second = new Recorder(HttpStatusCode.ServiceUnavailable);
        using var invoker = Invoker(origin, fallBack: true, (Mirror("one.example.com"), first), (Mirror("two.example.com"), second));

        using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Head, Manifest), CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(first.Uris);
        Assert.Single(second.Uris);
        Assert.Equal([Manifest.ToString()], origin.Uris);
    }

    [Fact]
    public async Task A_path_prefix_moves_the_repository_and_its_token_scopes()
    {
        var mirror = new Recorder(HttpStatusCode.OK);
        using var invoker = Invoker(new Recorder(HttpStatusCode.OK), fallBack: true, (Mirror("harbor.example.com/hub-proxy"), mirror));
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri("https://registry-1.docker.io/v2/library/busybox/blobs/sha256:abc?x=1"));
        request.Options.Set(RegistryScope.RequestOption, [RegistryScope.Pull("library/busybox")]);

        using var response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.Equal(["https://harbor.example.com/v2/hub-proxy/library/busybox/blobs/sha256:abc?x=1"], mirror.Uris);
        Assert.Equal(["repository:hub-proxy/library/busybox:pull"], mirror.Scopes);
    }

    [Fact]
    public async Task An_unreachable_mirror_is_left_out_for_the_rest_of_the_run()
    {
        var origin = new Recorder(HttpStatusCode.OK);
        var down = new Recorder(_ => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused"));
        using var invoker = Invoker(origin, fallBack: true, (Mirror("down.example.com"), down));

        (await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, Manifest), CancellationToken.None)).Dispose();
        (await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, Manifest), CancellationToken.None)).Dispose();

        Assert.Single(down.Uris);
        Assert.Equal(2, origin.Uris.Count);
    }

    [Fact]
    public async Task Without_fallback_the_last_mirror_answer_is_returned_and_the_registry_never_asked()
    {
        var origin = new Recorder(HttpStatusCode.OK);
        using var invoker = Invoker(origin, fallBack: false, (Mirror("one.example.com"), new Recorder(HttpStatusCode.NotFound)));

        using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, Manifest), CancellationToken.None);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(origin.Uris);
    }

    [Fact]
    public async Task Without_fallback_an_unreachable_mirror_is_an_error_naming_it()
    {
        var down = new Recorder(_ => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused"));
        using var invoker = Invoker(new Recorder(HttpStatusCode.OK), fallBack: false, (Mirror("down.example.com:5000"), down));

        var error = await Assert.ThrowsAsync<RegistryException>(() => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, Manifest), CancellationToken.None));

        Assert.Equal("pulling from the mirror down.example.com:5000: cannot connect to down.example.com:5000: refused", error.Message);
    }

    [Fact]
    public async Task Writes_always_go_to_the_registry()
    {
        var origin = new Recorder(HttpStatusCode.Accepted);
        var mirror = new Recorder(HttpStatusCode.OK);
        using var invoker = Invoker(origin, fallBack: true, (Mirror("mirror.example.com"), mirror));

        using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Post, "https://registry-1.docker.io/v2/library/busybox/blobs/uploads/"), CancellationToken.None);

        Assert.Empty(mirror.Uris);
        Assert.Single(origin.Uris);
    }

    [Theory]
    [InlineData("mirror.gcr.io", "mirror.gcr.io", null)]
    [InlineData("https://mirror.gcr.io/", "mirror.gcr.io", null)]
    [InlineData("Harbor.Example.com:8443/hub/proxy", "harbor.example.com:8443", "hub/proxy")]
    public void Parses_mirrors(string text, string host, string? prefix) =>
        Assert.Equal(new RegistryMirror(host, prefix), RegistryMirror.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("/path")]
    [InlineData("host/Upper")]
    [InlineData("user@host")]
    public void Refuses_what_is_not_a_mirror(string text) => Assert.Throws<FormatException>(() => RegistryMirror.Parse(text));

    [Fact]
    public void Registry_maps_and_mirrors_accumulate_per_normalised_registry()
    {
        var options = new RegistryTransportOptions();
        foreach (var (registry, mirror) in RegistryTransportOptions.ParseRegistryMap("index.docker.io=one.example.com; ghcr.io=two.example.com/ghcr"))
        {
            options = options.WithMirror(registry, mirror);
        }

        options = options.WithMirror("docker.io", RegistryMirror.Parse("three.example.com"));

        Assert.Equal(["one.example.com", "three.example.com"], options.MirrorsFor("registry-1.docker.io").Select(m => m.ToString()));
        Assert.Equal(["two.example.com/ghcr"], options.MirrorsFor("ghcr.io").Select(m => m.ToString()));
        Assert.Empty(options.MirrorsFor("quay.io"));
        Assert.Throws<FormatException>(() => RegistryTransportOptions.ParseRegistryMap("no-equals-sign"));
    }

    private static RegistryMirror Mirror(string text) => RegistryMirror.Parse(text);

    private static HttpMessageInvoker Invoker(Recorder origin, bool fallBack, params (RegistryMirror Mirror, Recorder Handler)[] mirrors) =>
        new(new MirrorHandler(mirrors.Select(m => new MirrorRoute(m.Mirror, new Uri($"https://{m.Mirror.Host}/"), m.Handler)).ToArray(), fallBack) { InnerHandler = origin });

    /// <summary>Records what reaches it and answers with a fixed status (or whatever the function does).</summary>
    private sealed class Recorder(Func<HttpRequestMessage, HttpResponseMessage> reply) : HttpMessageHandler
    {
        public Recorder(HttpStatusCode status)
            : this(_ => new HttpResponseMessage(status))
        {
        }

        public List<string> Uris { get; } = [];

        public List<string> Scopes { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Uris.Add(request.RequestUri!.ToString());
            if (request.Options.TryGetValue(RegistryScope.RequestOption, out var scopes))
            {
                Scopes.AddRange(scopes.Select(s => s.ToString()));
            }

            var response = reply(request);
            response.RequestMessage = request;
            return Task.FromResult(response);
        }
    }
}
