namespace Drydock.Context.Buckets;

/// <summary>Reads the injected environment, where an empty variable counts as unset (as the SDKs take it).</summary>
internal static class EnvironmentValues
{
    public static string? Get(Func<string, string?> environment, string name) => environment(name) is { Length: > 0 } value ? value : null;
}
