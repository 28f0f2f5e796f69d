using System.Net;
using System.Net.Http;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Drydock.Registry.Transport;

/// <summary>
/// Tries a request again, with exponential backoff and jitter, when the connection failed, no
/// reply came within the attempt timeout, or the registry answered 5xx, 429 or 408 (honouring
/// Retry-After). Only requests whose body can be sent twice go through here; blob uploads restart
/// their whole upload session instead. When every attempt timed out, a <see cref="TimeoutException"/>
/// says so.
/// </summary>
public sealed class RetryHandler : DelegatingHandler
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly TimeSpan _attemptTimeout;

    /// <param name="maxRetries">How many times to try again after the first attempt.</param>
    /// <param name="delay">The first backoff delay.</param>
    /// <param name="attemptTimeout">How long one attempt may wait for the reply's headers.</param>
    public RetryHandler(int maxRetries, TimeSpan delay, TimeSpan attemptTimeout)
    {
        _attemptTimeout = attemptTimeout;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        if (maxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = maxRetries,
                Delay = delay,
                MaxDelay = MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e ? IsTransient(e) : IsTransient(args.Outcome.Result)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
            });
        }

        // Inside the retry, so each attempt gets the whole timeout and a stalled one is tried again.
        _pipeline = builder.AddTimeout(attemptTimeout).Build();
    }

    /// <summary>True when a request's body can be sent again (no body, or one held in memory).</summary>
    public static bool IsReplayable(HttpContent? content) => content is null or ByteArrayContent or ReadOnlyMemoryContent;

    public static bool IsTransient(HttpResponseMessage? response) =>
        response is { StatusCode: var status } &&
        (status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout or HttpStatusCode.InternalServerError
            or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout);

    /// <summary>Connection failures that another attempt may not meet; TLS and DNS failures do not heal.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        HttpRequestException tls when TransportFailure.IsTlsFailure(tls) => false,
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.ResponseEnded } => true,
        HttpRequestException { HttpRequestError: HttpRequestError.Unknown, InnerException: IOException } => true,
        TimeoutException or TimeoutRejectedException => true,
        _ => false,
    };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!IsReplayable(request.Content))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await _pipeline.ExecuteAsync(
                static (state, token) => new ValueTask<HttpResponseMessage>(state.Handler.SendOnceAsync(state.Request, token)),
                (Handler: this, Request: request),
                cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e)
        {
            throw new TimeoutException($"no reply from {request.RequestUri?.Authority} within {_attemptTimeout.TotalSeconds:0.#} s", e);
        }
    }

    private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    private static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        var retryAfter = response?.Headers.RetryAfter;
        var delay = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return delay is { } d && d > TimeSpan.Zero ? (d < MaxDelay ? d : MaxDelay) : null;
    }
}
