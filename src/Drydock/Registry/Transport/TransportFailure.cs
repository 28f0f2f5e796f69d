using System.Net.Http;

namespace Drydock.Registry.Transport;

/// <summary>
/// Explains a request that got no reply: a refused connection, a TLS handshake that failed (with
/// the reason and the flags that fix it), a name that does not resolve.
/// </summary>
internal static class TransportFailure
{
    public static RegistryException ToException(HttpRequestException exception, string operation, string authority, string? tlsFailure)
    {
        var detail = Innermost(exception).Message;
        return exception.HttpRequestError switch
        {
            HttpRequestError.SecureConnectionError => new RegistryException(
                operation,
                $"TLS handshake with {authority} failed: {tlsFailure ?? detail}. If the registry's certificate comes from a private CA, " +
                $"pass --registry-certificate {authority}=/path/to/ca.crt; to skip verification (insecure), pass --skip-tls-verify-registry {authority} " +
                $"or --skip-tls-verify; if it serves plain HTTP, pass --insecure-registry {authority} or --insecure",
                innerException: exception),
            HttpRequestError.ConnectionError => new RegistryException(operation, $"cannot connect to {authority}: {detail}", innerException: exception, transient: true),
            HttpRequestError.NameResolutionError => new RegistryException(operation, $"cannot resolve the host of {authority}: {detail}", innerException: exception),
            _ => new RegistryException(operation, $"the request to {authority} failed: {detail}", innerException: exception, transient: RetryHandler.IsTransient(exception)),
        };
    }

    public static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is { } inner)
        {
            exception = inner;
        }

        return exception;
    }

    /// <summary>The verification failure inside an upload's exception, when the source blob was bad.</summary>
    public static InvalidDataException? VerificationFailure(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is InvalidDataException invalid)
            {
                return invalid;
            }
        }

        return null;
    }
}
