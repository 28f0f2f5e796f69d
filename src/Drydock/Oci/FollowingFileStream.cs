using Drydock.Foundation.Streams;

namespace Drydock.Oci;

/// <summary>
/// Reads a <see cref="GrowingFile"/> from its start while it is written: a read returns what the
/// writer has put in the file, waits when it has caught up, and the stream ends where the finished
/// file ends. An upload can so begin before its blob is complete without holding any of it in memory.
/// </summary>
/// <remarks>Only asynchronous reads: waiting for the writer must not block a thread.</remarks>
internal sealed class FollowingFileStream(GrowingFile file) : ReadOnlyStream
{
    private long _position;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer) => throw new NotSupportedException("A file still being written is read asynchronously only.");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var state = await file.WaitForAsync(_position + 1, cancellationToken).ConfigureAwait(false);
        var available = state.Length - _position;
        if (available <= 0)
        {
            return 0;
        }

        var n = await file.ReadAtAsync(_position, buffer[..(int)Math.Min(buffer.Length, available)], cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            throw new IOException($"{file.Path} ends at byte {_position}, before the {state.Length} bytes its writer wrote");
        }

        _position += n;
        return n;
    }
}
