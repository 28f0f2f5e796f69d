using Drydock.Layers;

namespace Drydock.Tests.Layers;

public sealed class FilesystemDiffTests
{
    [Fact]
    public void Diffs_are_normalized_sorted_and_deduplicated()
    {
        var diff = new FilesystemDiff(["/b", "/a/", "/a//c", "/a", "/"], ["/z/", "/y"]);

        Assert.Equal(["/a", "/a/c", "/b"], diff.Changed);
        Assert.Equal(["/y", "/z"], diff.Deleted);
        Assert.Equal(new FilesystemDiff(["/a", "/b", "/a/c"], ["/z", "/y"]), diff);
        Assert.False(diff.IsEmpty);
        Assert.True(FilesystemDiff.Empty.IsEmpty);
    }
}
