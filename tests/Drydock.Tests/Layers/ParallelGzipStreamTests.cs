using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Drydock.Layers;

namespace Drydock.Tests.Layers;

public sealed class ParallelGzipStreamTests
{
    private const int Block = ParallelGzipStream.BlockSize;

    public static TheoryData<int> Sizes => new()
    {
        0, 1, 1000, Block - 1, Block, Block + 1, (2 * Block) - 1, 2 * Block, (3 * Block) + 12345,
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Round_trips_through_GZipStream(int size)
    {
        var input = TextLike(size);
        var gzip = Compress(input, workers: 2);

        using var reader = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var output = new MemoryStream();
        reader.CopyTo(output);
        Assert.Equal(input, output.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(Block)]
    [InlineData((3 * Block) + 12345)]
    public void Round_trips_through_gnu_gzip(int size)
    {
        var input = TextLike(size);
        using var directory = new TempDirectory("drydock-pgzip-");
        var path = directory.Combine("layer.gz");
        File.WriteAllBytes(path, Compress(input, workers: 4));

        Assert.Equal(0, RunGzip(["-t", path], out _));
        Assert.Equal(0, RunGzip(["-dc", path], out var decompressed));
        Assert.Equal(input, decompressed);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Output_is_the_same_for_any_worker_count(int size)
    {
        var input = TextLike(size);
        var one = Compress(input, workers: 1);

        Assert.Equal(one, Compress(input, workers: 2));
        Assert.Equal(one, Compress(input, workers: 4));
    }

    [Fact]
    public async Task Async_and_sync_writes_in_any_pieces_give_the_same_bytes()
    {
        var input = TextLike((2 * Block) + 777);
        var whole = Compress(input, workers: 2);

        using var destination = new MemoryStream();
        await using (var gzip = new ParallelGzipStream(destination, LayerCompressionStreams.DefaultGzipLevel, leaveOpen: true, workers: 3))
        {
            // Odd piece sizes cross block boundaries at every offset.
            for (var offset = 0; offset < input.Length; offset += 100_003)
            {
                var piece = input.AsMemory(offset, Math.Min(100_003, input.Length - offset));
                if (offset % 2 == 0)
                {
                    await gzip.WriteAsync(piece);
                }
                else
                {
                    gzip.Write(piece.Span);
                }
            }
        }

        Assert.Equal(whole, destination.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(9)]
    public void Every_level_round_trips(int level)
    {
        var input = TextLike(Block + 5);
        using var destination = new MemoryStream();
        using (var gzip = new ParallelGzipStream(destination, level, leaveOpen: true, workers: 2))
        {
            gzip.Write(input);
        }

        using var reader = new GZipStream(new MemoryStream(destination.ToArray()), CompressionMode.Decompress);
        using var output = new MemoryStream();
        reader.CopyTo(output);
        Assert.Equal(input, output.ToArray());
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value_in_one_piece_or_many()
    {
        var input = "123456789"u8;

        // The CRC-32/ISO-HDLC check value, as gzip computes it.
        Assert.Equal(0xCBF43926u, Crc32.Append(0, input));
        Assert.Equal(0xCBF43926u, Crc32.Append(Crc32.Append(0, input[..3]), input[3..]));
    }

    [Fact]
    public void Leaves_the_destination_open_only_when_asked()
    {
        var destination = new MemoryStream();
        new ParallelGzipStream(destination, 6, leaveOpen: false, workers: 1).Dispose();
        Assert.False(destination.CanWrite);
    }

    private static byte[] Compress(byte[] input, int workers)
    {
        using var destination = new MemoryStream();
        using (var gzip = new ParallelGzipStream(destination, LayerCompressionStreams.DefaultGzipLevel, leaveOpen: true, workers))
        {
            gzip.Write(input);
        }

        return destination.ToArray();
    }

    // Compressible but not trivially so, like the files of a layer; seeded so runs agree.
    private static byte[] TextLike(int size)
    {
        var random = new Random(size);
        string[] words = ["layer", "drydock", "gzip", "block", "deflate", "tar", "image", "build", "\n", "0x1f8b"];
        var text = new StringBuilder(size + 16);
        while (text.Length < size)
        {
            text.Append(words[random.Next(words.Length)]).Append(' ').Append(random.Next(1000));
        }

        var bytes = Encoding.ASCII.GetBytes(text.ToString(0, size));

        // A stretch of noise: stored blocks must concatenate as well as compressed ones.
        random.NextBytes(bytes.AsSpan(size / 2, Math.Min(size / 2, 70_000)));
        return bytes;
    }

    private static int RunGzip(string[] arguments, out byte[] stdout)
    {
        var start = new ProcessStartInfo("gzip") { RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        stdout = output.ToArray();
        return process.ExitCode;
    }
}
