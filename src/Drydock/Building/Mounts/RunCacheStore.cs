using System.Security.Cryptography;
using System.Text;
using Drydock.Dockerfile;

namespace Drydock.Building.Mounts;

/// <summary>
/// The directories of <c>RUN --mount=type=cache</c>, kept under one root so they outlive the build
/// and serve the next one on this machine. Each id has a directory of its own, with a lock file
/// beside it through which sharing=locked waits for, and sharing=private steps around, a
/// concurrent user, whether another RUN or another drydock process.
/// </summary>
internal sealed class RunCacheStore(string root)
{
    // What .NET reports as the HResult when FileShare.None finds the file's flock taken (EWOULDBLOCK).
    private const int LockTaken = 11;
    private static readonly TimeSpan LockRetryDelay = TimeSpan.FromMilliseconds(100);

    public string Root { get; } = root;

    /// <summary>
    /// <c>$XDG_CACHE_HOME/drydock/run-cache</c>, else <c>~/.cache/drydock/run-cache</c>: a per-user
    /// cache that survives the build. (kaniko's <c>--cache-dir</c> means base images, not this.)
    /// </summary>
    public static string DefaultRoot(Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        var cacheHome = getEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify) is { Length: > 0 } home ? home : Path.GetTempPath(), ".cache");
        return Path.Combine(cacheHome, "drydock", "run-cache");
    }

    /// <param name="initialize">Prepares a directory made now (seed, owner, mode) before any RUN sees it.</param>
    /// <param name="onWait">Called once when sharing=locked has to wait.</param>
    public async Task<RunCacheLease> AcquireAsync(string id, CacheSharing sharing, Action<string> initialize, Action onWait, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var name = DirectoryName(id);
        switch (sharing)
        {
            case CacheSharing.Locked:
                for (var waited = false; ; waited = true)
                {
                    if (TryLock(name) is { } held)
                    {
                        return Open(name, held, initialize);
                    }

                    if (!waited)
                    {
                        onWait();
                    }

                    await Task.Delay(LockRetryDelay, cancellationToken).ConfigureAwait(false);
                }

            case CacheSharing.Private:
                // The id's own directory when free, else the first free sibling: private ones persist too.
                for (var n = 0; ; n++)
                {
                    var candidate = n == 0 ? name : $"{name}.{n}";
                    if (TryLock(candidate) is { } held)
                    {
                        return Open(candidate, held, initialize);
                    }
                }

            default:
                return Open(name, null, initialize);
        }
    }

    /// <summary>A name a person can recognise (the id's safe characters) made unique by the id's hash.</summary>
    internal static string DirectoryName(string id)
    {
        var readable = new string([.. id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-')]).Trim('-', '.');
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..16];
        return readable.Length == 0 ? hash : $"{readable[..Math.Min(readable.Length, 48)]}-{hash}";
    }

    private FileStream? TryLock(string name)
    {
        try
        {
            return new FileStream(Path.Combine(Root, name + ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e.HResult == LockTaken)
        {
            return null;
        }
    }

    private RunCacheLease Open(string name, FileStream? held, Action<string> initialize)
    {
        var path = Path.Combine(Root, name);
        try
        {
            if (!Directory.Exists(path))
            {
                Create(path, initialize);
            }
        }
        catch
        {
            held?.Dispose();
            throw;
        }

        return new RunCacheLease(path, held);
    }

    private void Create(string path, Action<string> initialize)
    {
        // Made aside and renamed into place, so a concurrent build never sees it half seeded.
        var fresh = Path.Combine(Root, $".new-{Path.GetFileName(path)}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(fresh);
        try
        {
            initialize(fresh);
            Directory.Move(fresh, path);
        }
        catch (IOException) when (Directory.Exists(path))
        {
            // Another build made it first: use theirs.
        }
        finally
        {
            if (Directory.Exists(fresh))
            {
                Directory.Delete(fresh, recursive: true);
            }
        }
    }
}
