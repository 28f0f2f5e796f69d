using System.Text;
using Drydock.Oci;

namespace Drydock.Tests.Oci;

public sealed class VerifyingStreamTests
{
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("layer bytes");

    [Fact]
    public async Task Matching_content_reads_through()
    {
        await using var stream = new VerifyingStream(new MemoryStream(Data), Digest.Sha256(Data), Data.Length, "blob");
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(Data, copy.ToArray());
    }

    [Fact]
    public async Task Wrong_digest_fails_at_the_end()
    {
        await using var stream = new VerifyingStream(new MemoryStream(Data), Digest.Sha256("other"u8), Data.Length, "blob");
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => stream.CopyToAsync(Stream.Null));
        Assert.Contains("expected sha256:", error.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public async Task Wrong_size_fails(int delta)
    {
        await using var stream = new VerifyingStream(new MemoryStream(Data), Digest.Sha256(Data), Data.Length + delta, "blob");
        await Assert.ThrowsAsync<InvalidDataException>(() => stream.CopyToAsync(Stream.Null));
    }

    [Fact]
    public async Task An_empty_read_request_is_not_the_end_of_the_data()
    {
        await using var stream = new VerifyingStream(new MemoryStream(Data), Digest.Sha256(Data), Data.Length, "blob");
        Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty));
        Assert.Equal(0, stream.Read([], 0, 0));
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(Data, copy.ToArray());
    }
}
