using Drydock.Building.Mounts;
using Drydock.Dockerfile;

namespace Drydock.Tests.Building.Mounts;

public sealed class RunCacheStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Directory.CreateTempSubdirectory("drydock-run-cache-test-").FullName, "cache");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_root)!, recursive: true);

    [Fact]
    public async Task An_id_keeps_its_directory_and_initialization_runs_once()
    {
        var store = new RunCacheStore(_root);
        var initialized = 0;

        string first, again, other;
        using (var lease = await AcquireAsync(store, "/root/.cache/pip", CacheSharing.Shared, _ => initialized++))
        {
            first = lease.Directory;
            await File.WriteAllTextAsync(Path.Combine(first, "kept"), "x");
        }

        using (var lease = await AcquireAsync(store, "/root/.cache/pip", CacheSharing.Shared, _ => initialized++))
        {
            again = lease.Directory;
        }

        using (var lease = await AcquireAsync(store, "/root/.cache/npm", CacheSharing.Shared, _ => initialized++))
        {
            other = lease.Directory;
        }

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.True(File.Exists(Path.Combine(again, "kept")));
        Assert.Equal(2, initialized);
        Assert.StartsWith("root-.cache-pip-", Path.GetFileName(first), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shared_users_share_at_the_same_time()
    {
        var store = new RunCacheStore(_root);
        using var a = await AcquireAsync(store, "id", CacheSharing.Shared);
        using var b = await AcquireAsync(store, "id", CacheSharing.Shared);

        Assert.Equal(a.Directory, b.Directory);
    }

    [Fact]
    public async Task A_private_user_steps_around_a_busy_directory()
    {
        var store = new RunCacheStore(_root);
        using var a = await AcquireAsync(store, "id", CacheSharing.Private);
        using var b = await AcquireAsync(store, "id", CacheSharing.Private);

        Assert.NotEqual(a.Directory, b.Directory);
        Assert.Equal(a.Directory + ".1", b.Directory);
    }

    [Fact]
    public async Task A_locked_user_waits_for_the_holder()
    {
        var store = new RunCacheStore(_root);
        var waits = 0;
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = await AcquireAsync(store, "id", CacheSharing.Locked);

        var second = store.AcquireAsync("id", CacheSharing.Locked, _ => { }, () =>
        {
            waits++;
            waiting.TrySetResult();
        }, CancellationToken.None);
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(second.IsCompleted);
        first.Dispose();

        using var lease = await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(first.Directory, lease.Directory);
        Assert.Equal(1, waits);
    }

    [Fact]
    public async Task A_failed_initialization_leaves_nothing_half_made()
    {
        var store = new RunCacheStore(_root);

        await Assert.ThrowsAsync<IOException>(() => AcquireAsync(store, "id", CacheSharing.Locked, dir =>
        {
            File.WriteAllText(Path.Combine(dir, "partial"), "x");
            throw new IOException("seed failed");
        }));

        Assert.Empty(Directory.GetDirectories(_root));
        using var lease = await AcquireAsync(store, "id", CacheSharing.Locked);
        Assert.Empty(Directory.GetFileSystemEntries(lease.Directory));
    }

    private static Task<RunCacheLease> AcquireAsync(RunCacheStore store, string id, CacheSharing sharing, Action<string>? initialize = null) =>
        store.AcquireAsync(id, sharing, initialize ?? (_ => { }), () => { }, CancellationToken.None);
}
