using System.Net;

namespace Drydock.Registry.Errors;

/// <summary>
/// A registry operation failed. The message names what was being done, the status code and the
/// registry's own error codes, e.g. <c>pushing blob sha256:… to 127.0.0.1:5000/app: 401
/// UNAUTHORIZED: authentication required</c>. It never carries credentials or tokens.
/// </summary>
public sealed class RegistryException : Exception
{
    public RegistryException(string operation, string reason, HttpStatusCode? statusCode = null, IReadOnlyList<RegistryError>? errors = null, Exception? innerException = null, bool transient = false)
        : base($"{operation}: {reason}", innerException)
    {
        Operation = operation;
        StatusCode = statusCode;
        Errors = errors ?? [];
        IsTransient = transient || (statusCode is { } status && ((int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout));
    }

    /// <summary>What was being done, e.g. <c>pulling manifest docker.io/library/busybox:latest</c>.</summary>
    public string Operation { get; }

    /// <summary>The HTTP status of the reply, or null when there was none (connection, TLS, verification).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The errors the registry reported in its reply body, if any.</summary>
    public IReadOnlyList<RegistryError> Errors { get; }

    /// <summary>True when the registry reported this error code (e.g. <c>MANIFEST_UNKNOWN</c>).</summary>
    public bool HasCode(string code) => Errors.Any(e => string.Equals(e.Code, code, StringComparison.OrdinalIgnoreCase));

    /// <summary>True for a failure that a later attempt may not repeat: 5xx, 429, 408, a dropped connection.</summary>
    public bool IsTransient { get; }
}
