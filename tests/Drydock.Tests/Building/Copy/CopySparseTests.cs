using Drydock.Context;
using Drydock.Tests.Layers;

namespace Drydock.Tests.Building.Copy;

/// <summary>
/// COPY keeps a sparse file's holes, from the context and from another stage: copying
/// /var/log/lastlog after a big uid must not write hundreds of GB of zeros.
/// </summary>
public sealed class CopySparseTests : IDisposable
{
    // Big enough to tell, small enough that a copy writing the zeros fails the test, not the disk.
    private const long Size = 1L << 30;
    private readonly CopyScenario _scenario = new();
    private readonly byte[] _data = SparseTestFiles.RandomBytes(4096, 7);

    public void Dispose() => _scenario.Dispose();

    [RootFact]
    public async Task Copy_from_the_context_keeps_holes()
    {
        var source = SparseTestFiles.Create(_scenario.Context.In("lastlog"), Size, (Size / 2, _data));

        await _scenario.CopyAsync("COPY lastlog /var/log/");

        AssertSameSparseFile(source, _scenario.Image("/var/log/lastlog"));
    }

    [RootFact]
    public async Task Copy_from_a_stage_keeps_holes()
    {
        Directory.CreateDirectory(Path.Combine(_scenario.Stage, "var/log"));
        var source = SparseTestFiles.Create(Path.Combine(_scenario.Stage, "var/log/lastlog"), Size, (Size / 2, _data));

        await _scenario.CopyAsync("COPY --from=builder /var /copied/", from: FileSource.ForRootfs(_scenario.Stage));

        AssertSameSparseFile(source, _scenario.Image("/copied/log/lastlog"));
    }

    private void AssertSameSparseFile(string source, string copy)
    {
        Assert.Equal(Size, new FileInfo(copy).Length);
        Assert.Equal(SparseTestFiles.Segments(source), SparseTestFiles.Segments(copy));
        Assert.Equal(_data, SparseTestFiles.Read(copy, Size / 2, _data.Length));
    }
}
