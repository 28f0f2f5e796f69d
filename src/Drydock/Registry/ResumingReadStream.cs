using System.Net.Http;
using Drydock.Foundation.Streams;
using Drydock.Registry.Errors;

namespace Drydock.Registry;

/// <summary>
/// A blob download that survives a dropped or stalled connection: when a read fails, or no byte
/// arrives within the idle timeout, before the blob's end, it asks for the rest from where it
/// stopped (an HTTP Range request through <c>reopen</c>) and carries on. What it yields is still
/// checked whole by the <see cref="Oci.VerifyingStream"/> above it.
/// </summary>
/// <remarks>
/// Only asynchronous reads resume: resuming means a new request, and a synchronous read must not
/// block on one. Every reader of blobs in Drydock reads asynchronously.
/// </remarks>
internal sealed class ResumingReadStream : ReadOnlyStream
{
    private readonly Func<long, CancellationToken, Task<Stream>> _reopen;
    private readonly long _length;
    private readonly int _maxResumes;
    private readonly TimeSpan _idleTimeout;
    private readonly string _operation;
    private Stream _current;
    private long _position;
    private int _resumes;

    /// <param name="first">The stream of the first reply, from byte 0.</param>
    /// <param name="length">The blob's size.</param>
    /// <param name="reopen">Opens the blob again from a byte offset.</param>
    /// <param name="maxResumes">How many times to resume before giving up.</param>
    /// <param name="idleTimeout">How long a read may wait for data before the connection counts as stalled.</param>
    /// <param name="operation">What is being done, for the error when resuming gives up.</param>
    public ResumingReadStream(Stream first, long length, Func<long, CancellationToken, Task<Stream>> reopen, int maxResumes, TimeSpan idleTimeout, string operation)
    {
        _current = first;
        _length = length;
        _reopen = reopen;
        _maxResumes = maxResumes;
        _idleTimeout = idleTimeout;
        _operation = operation;
    }

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        var n = _current.Read(buffer);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            string failure;
            Exception? cause = null;
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                idle.CancelAfter(_idleTimeout);
                try
                {
                    var n = await _current.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
                    if (n > 0 || _position >= _length)
                    {
                        _position += n;
                        return n;
                    }

                    failure = "the connection closed early";
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    failure = $"no data arrived for {_idleTimeout.TotalSeconds:0.#} s";
                    cause = e;
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    failure = $"the connection failed ({e.Message})";
                    cause = e;
                }
            }

            if (_resumes >= _maxResumes)
            {
                var tries = _resumes == 0 ? "" : $", after resuming {_resumes} time(s)";
                throw new RegistryException(_operation, $"{failure} at byte {_position} of {_length}{tries}", innerException: cause, transient: true);
            }

            _resumes++;
            await _current.DisposeAsync().ConfigureAwait(false);
            _current = await _reopen(_position, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _current.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
