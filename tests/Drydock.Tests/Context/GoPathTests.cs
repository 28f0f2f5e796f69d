using Drydock.Context;

namespace Drydock.Tests.Context;

public sealed class GoPathTests
{
    // Go's own filepath.Clean cases (Unix).
    [Theory]
    [InlineData("", ".")]
    [InlineData("abc", "abc")]
    [InlineData("abc/def", "abc/def")]
    [InlineData(".", ".")]
    [InlineData("..", "..")]
    [InlineData("../..", "../..")]
    [InlineData("../../abc", "../../abc")]
    [InlineData("/abc", "/abc")]
    [InlineData("/", "/")]
    [InlineData("abc/", "abc")]
    [InlineData("/abc/", "/abc")]
    [InlineData("abc//def//ghi", "abc/def/ghi")]
    [InlineData("//abc", "/abc")]
    [InlineData("abc/./def", "abc/def")]
    [InlineData("./abc/def", "abc/def")]
    [InlineData("abc/def/../ghi/../jkl", "abc/jkl")]
    [InlineData("abc/def/../..", ".")]
    [InlineData("/abc/def/../../..", "/")]
    [InlineData("abc/def/../../..", "..")]
    [InlineData("/../abc", "/abc")]
    [InlineData("a/../../b/..", "..")]
    public void Clean_follows_go(string path, string expected) => Assert.Equal(expected, GoPath.Clean(path));

    [Theory]
    [InlineData("/", ".")]
    [InlineData("", ".")]
    [InlineData("../../etc/passwd", "etc/passwd")]
    [InlineData("/a/./b/../c/", "a/c")]
    [InlineData("a/../..", ".")]
    public void CleanInRoot_never_climbs_above_the_root(string path, string expected) =>
        Assert.Equal(expected, GoPath.CleanInRoot(path));
}
