namespace Drydock.Foundation.GoFormats;

/// <summary>
/// Text that is not in the Go format asked for. Each caller turns it into its own error (a
/// Dockerfile error with its location, a flag error), so the reason and the hint travel apart.
/// </summary>
public sealed class GoFormatException(string reason, string? hint = null) : FormatException(reason)
{
    /// <summary>How to fix it, when there is something useful to say.</summary>
    public string? Hint { get; } = hint;
}
