using Drydock.Foundation.Streams;

namespace Drydock.Tests.Foundation.Streams;

public sealed class KnownLengthReadStreamTests
{
    [Fact]
    public async Task It_states_its_length_and_position_and_reads_through()
    {
        await using var stream = new KnownLengthReadStream(new MemoryStream([1, 2, 3, 4]), 4);
        var buffer = new byte[3];

        Assert.Equal(4, stream.Length);
        Assert.Equal(3, await stream.ReadAsync(buffer));
        Assert.Equal(3, stream.Position);
        Assert.Equal(3, stream.Seek(0, SeekOrigin.Current));
        Assert.Equal(1, stream.Read(buffer, 0, 3));
        Assert.Equal(4, stream.Position);
    }

    [Theory]
    [InlineData(0, SeekOrigin.Begin)]
    [InlineData(1, SeekOrigin.Current)]
    [InlineData(0, SeekOrigin.End)]
    public void Seeking_anywhere_but_where_it_stands_is_refused(long offset, SeekOrigin origin)
    {
        using var stream = new KnownLengthReadStream(new MemoryStream([1, 2, 3, 4]), 4);
        stream.ReadByte();

        Assert.Throws<NotSupportedException>(() => stream.Seek(offset, origin));
    }
}
