namespace Drydock.Building;

/// <summary>The time a build stamps on history and configs: now, or one fixed time for reproducible builds.</summary>
/// <param name="FixedTime">Every stamp with <c>--reproducible</c> (SOURCE_DATE_EPOCH, else the epoch); null for the current time.</param>
internal sealed record BuildClock(DateTimeOffset? FixedTime)
{
    public DateTimeOffset Now => FixedTime ?? DateTimeOffset.UtcNow;
}
