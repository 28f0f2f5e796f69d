using System.Net.Sockets;

namespace Drydock.Context.Buckets;

/// <summary>
/// Tells a store that could not be reached (refused, unresolvable, timed out, cut off) from one that
/// answered, through the layers of exceptions the SDKs wrap around it.
/// </summary>
internal static class NetworkFailure
{
    /// <summary>True when <paramref name="e"/> comes from the network, not from the user's cancellation.</summary>
    public static bool IsUnreachable(Exception e, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && Innermost(e) is HttpRequestException or SocketException or IOException or TimeoutException or TaskCanceledException;

    /// <summary>The message of the innermost cause (e.g. "Connection refused (127.0.0.1:9)").</summary>
    public static string Describe(Exception e) => Innermost(e).Message;

    private static Exception Innermost(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: > 0 } all => Innermost(all.InnerExceptions[^1]),
        { InnerException: { } inner } => Innermost(inner),
        _ => e,
    };
}
