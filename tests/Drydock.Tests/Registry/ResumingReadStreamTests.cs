using Drydock.Registry;
using Drydock.Registry.Errors;

namespace Drydock.Tests.Registry;

public sealed class ResumingReadStreamTests
{
    private static readonly byte[] Data = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();

    [Fact]
    public async Task A_failed_read_resumes_from_where_it_stopped()
    {
        var offsets = new List<long>();
        await using var stream = new ResumingReadStream(
            new FailingStream(Data, failAfter: 3_000, new IOException("reset")),
            Data.Length,
            (offset, _) =>
            {
                offsets.Add(offset);
                return Task.FromResult<Stream>(new MemoryStream(Data[(int)offset..]));
            },
            maxResumes: 3,
            TimeSpan.FromSeconds(5),
            "pulling blob x");

        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal(Data, copy.ToArray());
        Assert.Equal([3_000L], offsets);
    }

    [Fact]
    public async Task A_body_that_ends_early_resumes_too()
    {
        await using var stream = new ResumingReadStream(
            new MemoryStream(Data[..4_000]),
            Data.Length,
            (offset, _) => Task.FromResult<Stream>(new MemoryStream(Data[(int)offset..])),
            maxResumes: 1,
            TimeSpan.FromSeconds(5),
            "pulling blob x");

        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal(Data, copy.ToArray());
    }

    [Fact]
    public async Task A_stalled_read_counts_as_dropped_after_the_idle_timeout()
    {
        var offsets = new List<long>();
        await using var stream = new ResumingReadStream(
            new FailingStream(Data, failAfter: 5_000, failure: null),
            Data.Length,
            (offset, _) =>
            {
                offsets.Add(offset);
                return Task.FromResult<Stream>(new MemoryStream(Data[(int)offset..]));
            },
            maxResumes: 1,
            TimeSpan.FromMilliseconds(100),
            "pulling blob x");

        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal(Data, copy.ToArray());
        Assert.Equal([5_000L], offsets);
    }

    [Fact]
    public async Task Gives_up_after_the_allowed_resumes_naming_the_position()
    {
        await using var stream = new ResumingReadStream(
            new FailingStream(Data, failAfter: 1_000, new IOException("reset")),
            Data.Length,
            (offset, _) => Task.FromResult<Stream>(new FailingStream(Data[(int)offset..], failAfter: 1_000, new IOException("reset again"))),
            maxResumes: 2,
            TimeSpan.FromSeconds(5),
            "pulling blob x");

        var error = await Assert.ThrowsAsync<RegistryException>(() => stream.CopyToAsync(Stream.Null));

        Assert.Equal("pulling blob x: the connection failed (reset again) at byte 3000 of 10000, after resuming 2 time(s)", error.Message);
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_a_stall()
    {
        using var cancel = new CancellationTokenSource();
        await using var stream = new ResumingReadStream(
            new FailingStream(Data, failAfter: 0, failure: null),
            Data.Length,
            (_, _) => throw new InvalidOperationException("must not resume"),
            maxResumes: 3,
            TimeSpan.FromSeconds(30),
            "pulling blob x");
        cancel.CancelAfter(50);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadAsync(new byte[100], cancel.Token).AsTask());
    }

    /// <summary>Serves data up to a point, then throws the failure, or hangs until cancelled when there is none.</summary>
    private sealed class FailingStream(byte[] data, int failAfter, Exception? failure) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= failAfter)
            {
                if (failure is not null)
                {
                    throw failure;
                }

                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            var n = Math.Min(buffer.Length, Math.Min(failAfter, data.Length) - _position);
            data.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
