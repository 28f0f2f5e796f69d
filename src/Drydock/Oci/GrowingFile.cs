using Microsoft.Win32.SafeHandles;

namespace Drydock.Oci;

/// <summary>
/// A blob file that is still being written. The writer writes through <see cref="Track"/> and ends
/// with <see cref="Complete"/> or <see cref="Fail"/>; readers (<see cref="OpenRead"/>) read what is
/// there, wait for more, and learn when the file is whole and what blob it is. The writer never
/// waits for a reader: it only publishes how far it got.
/// </summary>
public sealed class GrowingFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly Lock _gate = new();
    private TaskCompletionSource? _changed;
    private long _length;
    private Descriptor? _completed;
    private Exception? _failure;

    /// <summary>
    /// Follows the file at <paramref name="path"/>, which the writer has just created. The file is
    /// opened here, so the writer may rename or delete it afterwards.
    /// </summary>
    public GrowingFile(string path)
    {
        Path = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
    }

    public string Path { get; }

    /// <summary>The finished blob, once the writer has completed it; null before.</summary>
    public Descriptor? Completed
    {
        get
        {
            lock (_gate)
            {
                return _completed;
            }
        }
    }

    /// <summary>The writer's stream, passed through: each write is published once it is in the file.</summary>
    public Stream Track(Stream destination) => new TrackingStream(this, destination);

    /// <summary>The writer finished: the file holds exactly this blob.</summary>
    public void Complete(Descriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        lock (_gate)
        {
            if (_length != descriptor.Size)
            {
                _failure ??= new IOException($"{descriptor.Digest} is {descriptor.Size} bytes, but {_length} were written through the tracked stream");
            }
            else if (_failure is null)
            {
                _completed = descriptor;
            }

            SignalLocked();
        }
    }

    /// <summary>The writer gave up; readers waiting for more fail with this cause.</summary>
    public void Fail(Exception cause)
    {
        lock (_gate)
        {
            if (_completed is null)
            {
                _failure ??= cause;
            }

            SignalLocked();
        }
    }

    /// <summary>A stream over the file from its start that waits for the writer as it catches up.</summary>
    public Stream OpenRead() => new FollowingFileStream(this);

    /// <summary>
    /// Waits until the file holds at least <paramref name="length"/> bytes or the writer has
    /// finished, and says how far it is. Throws <see cref="IOException"/> when the writer failed.
    /// </summary>
    public async ValueTask<GrowingFileState> WaitForAsync(long length, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_failure is not null)
                {
                    throw new IOException($"the blob being written to {Path} was not finished: {_failure.Message}", _failure);
                }

                if (_length >= length || _completed is not null)
                {
                    return new GrowingFileState(_length, _completed);
                }

                _changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads bytes already written, at an offset (readers share one handle).</summary>
    internal ValueTask<int> ReadAtAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken) =>
        RandomAccess.ReadAsync(_handle, buffer, offset, cancellationToken);

    public void Dispose() => _handle.Dispose();

    private void Advance(long count)
    {
        lock (_gate)
        {
            _length += count;
            SignalLocked();
        }
    }

    // Waiters continue on the thread pool, never on the writer's thread.
    private void SignalLocked()
    {
        _changed?.TrySetResult();
        _changed = null;
    }

    /// <summary>Writes through to the writer's stream, then tells the followers.</summary>
    private sealed class TrackingStream(GrowingFile file, Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            file.Advance(buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            file.Advance(buffer.Length);
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>How far a <see cref="GrowingFile"/> is: the bytes in it, and the blob once it is complete.</summary>
public readonly record struct GrowingFileState(long Length, Descriptor? Completed);
