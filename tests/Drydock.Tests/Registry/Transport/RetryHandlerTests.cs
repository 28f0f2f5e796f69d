using System.Net;
using Drydock.Registry.Transport;

namespace Drydock.Tests.Registry.Transport;

public sealed class RetryHandlerTests
{
    [Fact]
    public async Task Retries_5xx_and_429_then_returns_the_success()
    {
        var replies = new Queue<HttpStatusCode>([HttpStatusCode.ServiceUnavailable, HttpStatusCode.TooManyRequests, HttpStatusCode.OK]);
        var fake = new FakeHandler(_ => new HttpResponseMessage(replies.Dequeue()));
        using var invoker = Retrying(fake, 3);

        using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://x/v2/"), CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, fake.Calls);
    }

    [Fact]
    public async Task Gives_up_after_the_configured_retries()
    {
        var fake = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.BadGateway));
        using var invoker = Retrying(fake, 2);

        using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://x/v2/"), CancellationToken.None);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(3, fake.Calls);
    }

    [Fact]
    public async Task Retries_a_refused_connection()
    {
        var calls = 0;
        var fake = new FakeHandler(_ => ++calls == 1
            ? throw new HttpRequestException(HttpRequestError.ConnectionError, "refused")
            : new HttpResponseMessage(HttpStatusCode.OK));
        using var invoker = Retrying(fake, 2);

        using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Head, "http://x/v2/"), CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.NotImplemented)]
    public async Task Does_not_retry_answers_that_will_not_change(HttpStatusCode status)
    {
        var fake = new FakeHandler(_ => new HttpResponseMessage(status));
        using var invoker = Retrying(fake, 3);

        using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://x/"), CancellationToken.None);

        Assert.Equal(1, fake.Calls);
    }

    [Fact]
    public async Task Does_not_retry_TLS_failures()
    {
        var fake = new FakeHandler(_ => throw new HttpRequestException(HttpRequestError.SecureConnectionError, "handshake"));
        using var invoker = Retrying(fake, 3);

        await Assert.ThrowsAsync<HttpRequestException>(() => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://x/"), CancellationToken.None));

        Assert.Equal(1, fake.Calls);
    }

    [Fact]
    public async Task Never_resends_a_streamed_body()
    {
        var fake = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        using var invoker = Retrying(fake, 3);
        using var request = new HttpRequestMessage(HttpMethod.Put, "http://x/") { Content = new StreamContent(new MemoryStream([1, 2, 3])) };

        using var response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.Equal(1, fake.Calls);
    }

    [Fact]
    public async Task Resends_a_buffered_body()
    {
        var attempts = 0;
        var fake = new FakeHandler(request =>
        {
            // Serialised as the socket handler does, so each attempt must send the whole body again.
            var body = new MemoryStream();
            request.Content!.CopyTo(body, null, CancellationToken.None);
            Assert.Equal("m"u8.ToArray(), body.ToArray());
            return new HttpResponseMessage(++attempts == 1 ? HttpStatusCode.InternalServerError : HttpStatusCode.Created);
        });
        using var invoker = Retrying(fake, 3);

        using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Put, "http://x/") { Content = new StringContent("m") }, CancellationToken.None);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, fake.Calls);
    }

    [Fact]
    public async Task A_stalled_attempt_is_abandoned_and_tried_again()
    {
        var calls = 0;
        var fake = new AsyncFakeHandler(async token =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await Task.Delay(Timeout.Infinite, token);
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var invoker = Retrying(fake, 2, TimeSpan.FromMilliseconds(100));

        using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://x/v2/"), CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task When_every_attempt_stalls_a_timeout_names_the_host()
    {
        var fake = new AsyncFakeHandler(async token =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var invoker = Retrying(fake, 1, TimeSpan.FromMilliseconds(50));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://registry.example:5000/v2/"), CancellationToken.None));

        Assert.Equal("no reply from registry.example:5000 within 0.1 s", error.Message);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_retried()
    {
        using var cancel = new CancellationTokenSource(50);
        var fake = new AsyncFakeHandler(async token =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var invoker = Retrying(fake, 3);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://x/v2/"), cancel.Token));
    }

    /// <summary>An invoker whose retry handler waits 1 ms between attempts and gives each attempt <paramref name="attemptTimeout"/> (30 s when not given).</summary>
    private static HttpMessageInvoker Retrying(HttpMessageHandler inner, int retries, TimeSpan? attemptTimeout = null) =>
        new(new RetryHandler(retries, TimeSpan.FromMilliseconds(1), attemptTimeout ?? TimeSpan.FromSeconds(30)) { InnerHandler = inner });

    private sealed class AsyncFakeHandler(Func<CancellationToken, Task<HttpResponseMessage>> reply) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => reply(cancellationToken);
    }

    private sealed class FakeHandler(Func<HttpRequestMessage, HttpResponseMessage> reply) : HttpMessageHandler
    {
        private int _calls;

        public int Calls => _calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(reply(request));
        }
    }
}
