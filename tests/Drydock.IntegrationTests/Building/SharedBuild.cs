namespace Drydock.IntegrationTests.Building;

/// <summary>
/// One build shared by every test of a class: the first test to ask starts it, the others await
/// the same task. A class fixture cannot take the registry (a collection fixture) in its
/// constructor in xunit 2, so the factory arrives with the first call instead.
/// </summary>
public sealed class SharedBuild<T>
{
    private readonly Lock _lock = new();
    private Task<T>? _task;

    public Task<T> GetAsync(Func<Task<T>> factory)
    {
        lock (_lock)
        {
            return _task ??= Task.Run(factory);
        }
    }
}
