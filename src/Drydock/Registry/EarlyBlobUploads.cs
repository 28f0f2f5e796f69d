using Drydock.Oci;
using Drydock.Reference;

namespace Drydock.Registry;

/// <summary>
/// Uploads blobs to every destination repository while they are still being written
/// (<see cref="RegistryClient.StreamBlobAsync"/>), a few at a time, so that the push at the end
/// finds them there (<see cref="IsUploadedAsync"/>) instead of sending them then. In each registry
/// the blob is streamed to the first repository and mounted into the others. Best effort: an
/// upload that fails is reported and left to the push, which sends the blob with its retries.
/// Disposing cancels what is still running and deletes its upload sessions; since no manifest is
/// put, no tag changes.
/// </summary>
public sealed class EarlyBlobUploads : IAsyncDisposable
{
    private readonly RegistryClientPool _clients;
    private readonly IReadOnlyList<IGrouping<string, (string Registry, string Repository)>> _registries;
    private readonly Action<string> _report;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<Upload> _uploads = [];
    private readonly Lock _gate = new();

    /// <param name="report">Told of each upload's outcome (for a debug log).</param>
    public EarlyBlobUploads(RegistryClientPool clients, IReadOnlyList<ImageReference> destinations, Action<string> report, int maxConcurrentUploads = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentUploads, 1);
        _clients = clients;
        _report = report;
        _slots = new SemaphoreSlim(maxConcurrentUploads);
        _registries = destinations
            .Select(d => (Registry: ImageReference.NormalizeRegistry(d.Registry), d.Repository))
            .Distinct()
            .GroupBy(d => d.Registry)
            .ToArray();
    }

    /// <summary>Starts uploading a blob as it is written; the uploads own <paramref name="blob"/> from here on.</summary>
    public void Start(GrowingFile blob)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_cancel.IsCancellationRequested, this);
            var targets = _registries.SelectMany(registry => UploadToRegistry(blob, registry)).ToArray();
            var upload = new Upload(blob, targets);
            _uploads.Add(upload);
            _ = Task.WhenAll(targets.Select(t => t.Done)).ContinueWith(_ => blob.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Whether the repository got the blob from an early upload, waiting for one still running.
    /// The registry answered its commit (or mount) with success, so it need not be asked again.
    /// </summary>
    public async Task<bool> IsUploadedAsync(string registry, string repository, Digest digest, CancellationToken cancellationToken)
    {
        var key = (ImageReference.NormalizeRegistry(registry), repository);
        Target[] targets;
        lock (_gate)
        {
            targets = _uploads.Where(u => u.Blob.Completed?.Digest == digest).SelectMany(u => u.Targets).Where(t => t.Key == key).ToArray();
        }

        foreach (var target in targets)
        {
            if (await target.Done.WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Cancels the uploads still running (their sessions are deleted) and waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] running;
        lock (_gate)
        {
            if (_cancel.IsCancellationRequested)
            {
                return;
            }

            _cancel.Cancel();
            running = _uploads.SelectMany(u => u.Targets).Select(t => (Task)t.Done).ToArray();
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        _cancel.Dispose();
        _slots.Dispose();
    }

    /// <summary>Streams to the registry's first repository, then mounts into the others (or uploads there when a mount is refused).</summary>
    private IEnumerable<Target> UploadToRegistry(GrowingFile blob, IGrouping<string, (string Registry, string Repository)> registry)
    {
        var client = _clients.ForPush(registry.Key);
        var first = registry.First().Repository;
        var streamed = StreamAsync(client, first, blob);
        yield return new Target((registry.Key, first), streamed);
        foreach (var (_, repository) in registry.Skip(1))
        {
            yield return new Target((registry.Key, repository), MountAsync(client, repository, first, blob, streamed));
        }
    }

    private async Task<bool> StreamAsync(RegistryClient client, string repository, GrowingFile blob)
    {
        var where = $"{client.Registry}/{repository}";
        try
        {
            await _slots.WaitAsync(_cancel.Token).ConfigureAwait(false);
            try
            {
                var descriptor = await client.StreamBlobAsync(repository, blob, _cancel.Token).ConfigureAwait(false);
                _report($"streamed {descriptor.Digest} to {where} while it was written");
                return true;
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (Exception e)
        {
            // Whatever went wrong, the push sends the blob: an early upload never fails a build.
            _report($"streaming a layer to {where} stopped ({e.Message}); the push sends it");
            return false;
        }
    }

    private async Task<bool> MountAsync(RegistryClient client, string repository, string from, GrowingFile blob, Task<bool> streamed)
    {
        if (!await streamed.ConfigureAwait(false) || blob.Completed is not { } descriptor)
        {
            return false;
        }

        try
        {
            await client.PushBlobAsync(repository, descriptor, _ => Task.FromResult(blob.OpenRead()), mountFrom: from, _cancel.Token).ConfigureAwait(false);
            _report($"mounted {descriptor.Digest} from {client.Registry}/{from} into {repository}");
            return true;
        }
        catch (Exception e)
        {
            _report($"mounting {descriptor.Digest} into {client.Registry}/{repository} failed ({e.Message}); the push sends it");
            return false;
        }
    }

    private sealed record Target((string Registry, string Repository) Key, Task<bool> Done);

    private sealed record Upload(GrowingFile Blob, IReadOnlyList<Target> Targets);
}
