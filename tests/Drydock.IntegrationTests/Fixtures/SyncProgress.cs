namespace Drydock.IntegrationTests.Fixtures;

/// <summary>Reports on the calling thread (unlike Progress&lt;T&gt;), so a test sees every report once the call returns.</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly Lock _lock = new();

    public void Report(T value)
    {
        lock (_lock)
        {
            report(value);
        }
    }
}
