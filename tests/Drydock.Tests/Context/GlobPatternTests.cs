using Drydock.Context;

namespace Drydock.Tests.Context;

public sealed class GlobPatternTests
{
    // Go's filepath.Match behaviour (from its documented grammar and test vectors).
    [Theory]
    [InlineData("abc", "abc", true)]
    [InlineData("*", "abc", true)]
    [InlineData("*", ".hidden", true)]
    [InlineData("*c", "abc", true)]
    [InlineData("a*", "a", true)]
    [InlineData("a*", "abc", true)]
    [InlineData("a*", "ab/c", false)]
    [InlineData("a*/b", "abc/b", true)]
    [InlineData("a*/b", "a/c/b", false)]
    [InlineData("a*b*c*d*e*/f", "axbxcxdxe/f", true)]
    [InlineData("a*b*c*d*e*/f", "axbxcxdxexxx/f", true)]
    [InlineData("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false)]
    [InlineData("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false)]
    [InlineData("a*b?c*x", "abxbbxdbxebxczzx", true)]
    [InlineData("a*b?c*x", "abxbbxdbxebxczzy", false)]
    [InlineData("ab[c]", "abc", true)]
    [InlineData("ab[b-d]", "abc", true)]
    [InlineData("ab[e-g]", "abc", false)]
    [InlineData("ab[^c]", "abc", false)]
    [InlineData("ab[^b-d]", "abc", false)]
    [InlineData("ab[^e-g]", "abc", true)]
    [InlineData("a\\*b", "a*b", true)]
    [InlineData("a\\*b", "ab", false)]
    [InlineData("a?b", "a☺b", true)]
    [InlineData("a[^a]b", "a☺b", true)]
    [InlineData("a???b", "a☺b", false)]
    [InlineData("[a-ζ]*", "α", true)]
    [InlineData("*[a-ζ]", "A", false)]
    [InlineData("a?b", "a/b", false)]
    [InlineData("a*b", "a/b", false)]
    [InlineData("[\\]a]", "]", true)]
    [InlineData("[\\-]", "-", true)]
    [InlineData("[x\\-]", "x", true)]
    [InlineData("[x\\-]", "-", true)]
    [InlineData("[x\\-]", "z", false)]
    [InlineData("[\\-x]", "-", true)]
    [InlineData("[\\-x]", "a", false)]
    [InlineData("*x", "xxx", true)]
    [InlineData("[!a]", "!", true)] // Go has no '!' negation: it is a member
    [InlineData("[!a]", "a", true)]
    [InlineData("[!a]", "b", false)]
    [InlineData("a?c", "a😀c", true)] // '?' is one character, even outside the BMP
    [InlineData("**", "abc", true)] // without Docker's extension "**" is just two stars
    [InlineData("**", "a/b", false)]
    public void Matches_like_go_filepath_match(string pattern, string text, bool expected)
    {
        Assert.True(GlobPattern.TryParse(pattern, doubleStar: false, out var glob, out var error), error);
        Assert.Equal(expected, glob!.IsMatch(text));
    }

    [Theory]
    [InlineData("[]a]")]
    [InlineData("[-]")]
    [InlineData("[x-]")]
    [InlineData("[-x]")]
    [InlineData("\\")]
    [InlineData("[a-b-c]")]
    [InlineData("[")]
    [InlineData("[^")]
    [InlineData("[^bc")]
    [InlineData("a[")]
    [InlineData("a/b[")]
    [InlineData("[]")]
    [InlineData("[^]")]
    [InlineData("[z-a]")]
    public void Rejects_what_go_rejects(string pattern)
    {
        Assert.False(GlobPattern.TryParse(pattern, doubleStar: false, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("**", "", true)]
    [InlineData("**", "a/b/c", true)]
    [InlineData("**/a", "a", true)]
    [InlineData("**/a", "x/y/a", true)]
    [InlineData("**/a", "xa", false)]
    [InlineData("a/**", "a/b/c", true)]
    [InlineData("a/**", "a", false)]
    [InlineData("a/**/b", "a/b", true)]
    [InlineData("a/**/b", "a/x/y/b", true)]
    [InlineData("a/**/b", "ab", false)]
    [InlineData("a/**/b", "a/xb", false)]
    [InlineData("**/*.go", "main.go", true)]
    [InlineData("**/*.go", "a/b/c.go", true)]
    [InlineData("**/*.go", "a/b/go", false)]
    [InlineData("a**b", "ab", true)] // Docker reads "**" as "(.*/)?" even without a slash after it
    [InlineData("a**b", "ax/b", true)]
    [InlineData("a**b", "axb", false)]
    public void Double_star_follows_docker(string pattern, string text, bool expected)
    {
        Assert.True(GlobPattern.TryParse(pattern, doubleStar: true, out var glob, out var error), error);
        Assert.Equal(expected, glob!.IsMatch(text));
    }

    [Theory]
    [InlineData("a/b", "a/", true)]
    [InlineData("a/b", "x/", false)]
    [InlineData("*/keep", "anything/", true)]
    [InlineData("*/keep", "a/b/", false)]
    [InlineData("**/*.py", "vendor/lib/", true)]
    [InlineData("a", "a/", false)]
    [InlineData("a/**", "a/", true)]
    public void Prefix_check_says_whether_a_longer_path_could_match(string pattern, string prefix, bool expected)
    {
        Assert.True(GlobPattern.TryParse(pattern, doubleStar: true, out var glob, out _));
        Assert.Equal(expected, glob!.CanMatchWithPrefix(prefix));
    }
}
