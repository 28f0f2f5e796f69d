namespace Drydock.Bench;

/// <summary>How the benches sum up repeated measurements.</summary>
internal static class Figures
{
    /// <summary>The middle value (the upper one of an even count): one slow or lucky run does not move it.</summary>
    public static T Median<T>(IReadOnlyList<T> values) => values.Order().ElementAt(values.Count / 2);
}
