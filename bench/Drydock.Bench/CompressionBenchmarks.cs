using BenchmarkDotNet.Attributes;
using Drydock.Layers;
using Drydock.Oci;

namespace Drydock.Bench;

/// <summary>Compressor throughput on 32 MiB of text-like data, per codec and level (BenchmarkDotNet, <c>micro</c>).</summary>
[ShortRunJob]
[MemoryDiagnoser]
public class CompressionBenchmarks
{
    private byte[] _data = [];

    [Params(LayerCompression.Gzip, LayerCompression.Zstd)]
    public LayerCompression Compression { get; set; }

    [Params(1, 6)]
    public int Level { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[32 << 20];
        LayerInput.Fill(_data, 1, LayerData.Text);
    }

    [Benchmark]
    public void Compress()
    {
        using var output = LayerCompressionStreams.OpenCompressing(Stream.Null, Compression, Level, leaveOpen: true);
        output.Write(_data);
    }
}
