using System.Net.Http;
using Drydock.Registry.Errors;

namespace Drydock.Registry.Transport;

/// <summary>
/// Explains a request that got no reply: a refused connection, a TLS handshake that failed (with
/// the reason and the flags that fix it), a proxy that refused, a name that does not resolve.
/// </summary>
internal static class TransportFailure
{
    public static RegistryException ToException(HttpRequestException exception, string operation, string authority, string? tlsFailure, RegistryDirection direction)
    {
        var detail = Innermost(exception).Message;
        if (IsTlsFailure(exception))
        {
            return new RegistryException(operation, $"TLS handshake with {authority} failed: {tlsFailure ?? detail}. {TlsHint(authority, tlsFailure, direction)}", innerException: exception);
        }

        return exception.HttpRequestError switch
        {
            HttpRequestError.ConnectionError => new RegistryException(operation, $"cannot connect to {authority}: {detail}", innerException: exception, transient: true),
            HttpRequestError.ProxyTunnelError => new RegistryException(operation, $"the proxy refused the tunnel to {authority}: {detail} (check HTTPS_PROXY, the credentials in it, and NO_PROXY)", innerException: exception),
            HttpRequestError.NameResolutionError => new RegistryException(operation, $"cannot resolve the host of {authority}: {detail}", innerException: exception),
            _ => new RegistryException(operation, $"the request to {authority} failed: {detail}", innerException: exception, transient: RetryHandler.IsTransient(exception)),
        };
    }

    /// <summary>
    /// The flags that fix a failed handshake. A refused server certificate calls for a CA or for
    /// skipping verification; a handshake that failed although the certificate was accepted
    /// usually means the registry wants a client certificate.
    /// </summary>
    private static string TlsHint(string authority, string? tlsFailure, RegistryDirection direction)
    {
        var (skip, insecure) = direction == RegistryDirection.Push ? ("--skip-tls-verify", "--insecure") : ("--skip-tls-verify-pull", "--insecure-pull");
        var clientCertificate = tlsFailure is null ? $"If the registry requires a client certificate, pass --registry-client-cert {authority}=CERT,KEY. " : "";
        return clientCertificate +
            $"If the registry's certificate comes from a private CA, pass --registry-certificate {authority}=/path/to/ca.crt; " +
            $"to skip verification (insecure), pass --skip-tls-verify-registry {authority} or {skip}; " +
            $"if it serves plain HTTP, pass --insecure-registry {authority} or {insecure}";
    }

    /// <summary>
    /// A failed handshake, or a TLS alert after it: with TLS 1.3 a server that refuses the client's
    /// certificate says so only when the first reply is decrypted. Neither heals on a retry.
    /// </summary>
    public static bool IsTlsFailure(HttpRequestException exception) =>
        exception.HttpRequestError == HttpRequestError.SecureConnectionError ||
        Innermost(exception) is System.Security.Cryptography.CryptographicException or System.Security.Authentication.AuthenticationException;

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
