namespace Drydock.Building.Mounts;

/// <summary>A cache directory in use by one RUN; disposing releases its lock, if it holds one.</summary>
internal sealed class RunCacheLease(string directory, FileStream? held) : IDisposable
{
    public string Directory { get; } = directory;

    public void Dispose() => held?.Dispose();
}
