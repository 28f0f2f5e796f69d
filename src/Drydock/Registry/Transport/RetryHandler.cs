using System.Net;
using System.Net.Http;
using Polly;
using Polly.Retry;

namespace Drydock.Registry.Transport;

/// <summary>
/// Tries a request again, with exponential backoff and jitter, when the connection failed or the
/// registry answered 5xx, 429 or 408 (honouring Retry-After). Only requests whose body can be sent
/// twice are retried here; blob uploads restart their whole upload session instead.
/// </summary>
public sealed class RetryHandler : DelegatingHandler
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public RetryHandler(int maxRetries, TimeSpan delay)
    {
        _pipeline = maxRetries <= 0
            ? ResiliencePipeline<HttpResponseMessage>.Empty
            : new ResiliencePipelineBuilder<HttpResponseMessage>()
                .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = maxRetries,
                    Delay = delay,
                    MaxDelay = MaxDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e ? IsTransient(e) : IsTransient(args.Outcome.Result)),
                    DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
                })
                .Build();
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
        TimeoutException => true,
        _ => false,
    };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!IsReplayable(request.Content))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return await _pipeline.ExecuteAsync(
            static (state, token) => new ValueTask<HttpResponseMessage>(state.Handler.SendOnceAsync(state.Request, token)),
            (Handler: this, Request: request),
            cancellationToken).ConfigureAwait(false);
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
