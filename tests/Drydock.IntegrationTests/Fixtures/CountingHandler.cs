namespace Drydock.IntegrationTests.Fixtures;

/// <summary>Lets a test see every request a Drydock client sends (methods, URLs), in front of its transport.</summary>
public sealed class CountingHandler : DelegatingHandler
{
    private readonly Action<HttpRequestMessage> _observe;

    public CountingHandler(HttpMessageHandler inner, Action<HttpRequestMessage> observe)
        : base(inner)
    {
        _observe = observe;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _observe(request);
        return base.SendAsync(request, cancellationToken);
    }
}
