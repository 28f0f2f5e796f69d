namespace Drydock.Oci.Layout;

/// <summary>
/// An exclusive lock on a layout's index.json while it is read, changed and replaced, so two
/// writers sharing a directory (two CI jobs on one volume) never drop each other's entries.
/// </summary>
/// <remarks>
/// .NET takes an advisory flock for <see cref="FileShare.None"/> on Linux, per open file: it holds
/// between processes and between two opens in one process alike, and ends with the process.
/// </remarks>
public sealed class LayoutIndexLock : IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly FileStream _file;

    private LayoutIndexLock(FileStream file) => _file = file;

    public static async Task<LayoutIndexLock> AcquireAsync(string directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, "index.json.lock");
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                return new LayoutIndexLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => _file.Dispose();
}
