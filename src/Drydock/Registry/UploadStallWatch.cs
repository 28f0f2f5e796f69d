using Drydock.Foundation.Streams;

namespace Drydock.Registry;

/// <summary>
/// Aborts one upload request that makes no progress: its body's next bytes not taken by the
/// connection, or no reply after the last of them, within the stall timeout. The clock stops while
/// the body waits for its source (a layer still being compressed), so a slow build never counts as
/// a stalled network. <see cref="Token"/> goes to the request; <see cref="Stalled"/> tells a stall
/// from the caller's own cancellation.
/// </summary>
internal sealed class UploadStallWatch : IDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly CancellationToken _caller;

    public UploadStallWatch(TimeSpan timeout, CancellationToken caller)
    {
        Timeout = timeout;
        _caller = caller;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(caller);
        Arm();
    }

    public TimeSpan Timeout { get; }

    public CancellationToken Token => _cancel.Token;

    public bool Stalled => _cancel.IsCancellationRequested && !_caller.IsCancellationRequested;

    /// <summary>The request body, watched: time runs from each chunk handed to the connection until the next is asked for.</summary>
    public Stream Watch(Stream body) => new WatchedStream(this, body);

    public void Dispose() => _cancel.Dispose();

    private void Arm() => Reset(Timeout);

    private void Pause() => Reset(System.Threading.Timeout.InfiniteTimeSpan);

    private void Reset(TimeSpan delay)
    {
        try
        {
            _cancel.CancelAfter(delay);
        }
        catch (ObjectDisposedException)
        {
            // The reply came while the connection still read the body: nothing left to watch.
        }
    }

    /// <summary>Reads through to a stream it does not own.</summary>
    private sealed class WatchedStream(UploadStallWatch watch, Stream inner) : ReadOnlyStream
    {
        public override int Read(Span<byte> buffer)
        {
            watch.Pause();
            var n = inner.Read(buffer);
            watch.Arm();
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            watch.Pause();
            var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            watch.Arm();
            return n;
        }
    }
}
