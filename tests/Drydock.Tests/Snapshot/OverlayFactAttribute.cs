using Drydock.Snapshot;

namespace Drydock.Tests.Snapshot;

/// <summary>A test that needs overlayfs mounts (root): skipped, with the reason, where they do not work.</summary>
public sealed class OverlayFactAttribute : FactAttribute
{
    public OverlayFactAttribute()
    {
        if (OverlayTestSupport.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>The theory form of <see cref="OverlayFactAttribute"/>.</summary>
public sealed class OverlayTheoryAttribute : TheoryAttribute
{
    public OverlayTheoryAttribute()
    {
        if (OverlayTestSupport.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}

internal static class OverlayTestSupport
{
    // Attributes are built synchronously by the test discoverer; the check runs once per process.
    private static readonly Lazy<string?> Reason = new(() =>
    {
        var check = Task.Run(() => OverlaySupport.CheckAsync(Path.GetTempPath(), CancellationToken.None)).GetAwaiter().GetResult();
        return check.IsAvailable ? null : "overlayfs mounts are not available here: " + check.Reason;
    });

    public static string? Unavailable => Reason.Value;
}
