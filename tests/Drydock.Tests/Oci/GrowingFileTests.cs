using Drydock.Oci;

namespace Drydock.Tests.Oci;

public sealed class GrowingFileTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"growing-{Guid.NewGuid():N}");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public async Task A_reader_waits_for_the_writer_and_ends_where_the_finished_file_ends()
    {
        var bytes = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();
        await using var file = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 0);
        using var blob = new GrowingFile(_path);
        var writer = blob.Track(file);
        var read = new WatchedStream(100_000);
        var copy = blob.OpenRead().CopyToAsync(read);

        await writer.WriteAsync(bytes.AsMemory(0, 100_000));
        await read.Reached.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(100_000, read.Length);
        Assert.False(copy.IsCompleted, "the reader must wait for more until the writer completes the file");

        await writer.WriteAsync(bytes.AsMemory(100_000));
        blob.Complete(new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = Digest.Sha256(bytes), Size = bytes.Length });
        await copy;

        Assert.Equal(bytes, read.ToArray());
        Assert.Equal(bytes.Length, (await blob.WaitForAsync(long.MaxValue, CancellationToken.None)).Length);
    }

    [Fact]
    public async Task A_reader_fails_when_the_writer_fails()
    {
        await using var file = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 0);
        using var blob = new GrowingFile(_path);
        await blob.Track(file).WriteAsync(new byte[10]);
        var copy = blob.OpenRead().CopyToAsync(Stream.Null);

        blob.Fail(new InvalidOperationException("compression failed"));

        var error = await Assert.ThrowsAsync<IOException>(() => copy);
        Assert.Contains("compression failed", error.Message);
    }

    [Fact]
    public async Task A_completion_whose_size_differs_from_what_was_written_is_a_failure()
    {
        await using var file = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 0);
        using var blob = new GrowingFile(_path);
        await blob.Track(file).WriteAsync(new byte[10]);

        blob.Complete(new Descriptor { MediaType = MediaTypes.OciLayerGzip, Digest = Digest.Sha256(new byte[11]), Size = 11 });

        await Assert.ThrowsAsync<IOException>(() => blob.OpenRead().CopyToAsync(Stream.Null));
        Assert.Null(blob.Completed);
    }

    /// <summary>A memory stream that signals once it holds a given number of bytes: the reader got that far.</summary>
    private sealed class WatchedStream(long target) : MemoryStream
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        // MemoryStream's async and span writes all end in this one.
        public override void Write(byte[] buffer, int offset, int count)
        {
            base.Write(buffer, offset, count);
            if (Length >= target)
            {
                _reached.TrySetResult();
            }
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            base.Write(buffer);
            if (Length >= target)
            {
                _reached.TrySetResult();
            }
        }
    }
}
