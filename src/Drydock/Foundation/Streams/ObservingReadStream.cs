namespace Drydock.Foundation.Streams;

/// <summary>
/// Reads through another stream and shows every chunk read to <see cref="Observe"/> (hashing,
/// verifying, parsing as it passes), so the data is read once and never copied.
/// </summary>
public abstract class ObservingReadStream(Stream inner, bool leaveOpen) : ReadOnlyStream
{
    public long BytesRead { get; private set; }

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public sealed override int Read(Span<byte> buffer)
    {
        // An empty request says nothing about the end of the data (TarReader makes them), so it
        // is neither forwarded nor observed.
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var n = inner.Read(buffer);
        Account(buffer[..n]);
        return n;
    }

    public sealed override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..n]);
        return n;
    }

    /// <summary>Sees each chunk as it is read; an empty chunk means the inner stream has ended.</summary>
    protected abstract void Observe(ReadOnlySpan<byte> data);

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Account(ReadOnlySpan<byte> data)
    {
        BytesRead += data.Length;
        Observe(data);
    }
}
