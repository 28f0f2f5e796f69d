using Drydock.Building.Copy;
using Drydock.Building;

namespace Drydock.Tests.Building.Copy;

public sealed class ChmodSpecTests
{
    // Vectors from setmode(3)'s Go port (umask 0, as BuildKit parses), plus Docker's documented examples.
    [Theory]
    [InlineData("=", "777", false, "000")]
    [InlineData("+", "777", false, "777")]
    [InlineData("-", "421", false, "421")]
    [InlineData("+t", "421", false, "1421")]
    [InlineData("-t", "1421", false, "421")]
    [InlineData("u+r", "000", false, "400")]
    [InlineData("u+X", "000", false, "000")]
    [InlineData("u+X", "001", false, "101")]
    [InlineData("u+X", "000", true, "100")]
    [InlineData("u+s", "000", false, "4000")]
    [InlineData("g+X", "100", false, "110")]
    [InlineData("g+s", "000", false, "2000")]
    [InlineData("o+s", "000", false, "000")]
    [InlineData("+X", "010", false, "111")]
    [InlineData("+X", "000", true, "111")]
    [InlineData("+s", "000", false, "6000")]
    [InlineData("-r", "777", false, "333")]
    [InlineData("-X", "777", false, "777")]
    [InlineData("-X", "777", true, "777")]
    [InlineData("-s", "6777", false, "777")]
    [InlineData("u-s", "4777", false, "777")]
    [InlineData("u=rw", "777", false, "677")]
    [InlineData("u=", "777", false, "077")]
    [InlineData("=rw", "777", false, "666")]
    [InlineData("u=g", "742", false, "442")]
    [InlineData("u=g-w", "722", false, "022")]
    [InlineData("u=g-w", "772", false, "572")]
    [InlineData("u+o", "021", false, "121")]
    [InlineData("u+go", "021", false, "321")]
    [InlineData("-u", "111", false, "000")]
    [InlineData("-Xu", "111", false, "000")]
    [InlineData("a=r,ug=rw,u+x", "777", false, "764")]
    [InlineData("o+r,g+w,a+t,g-s,u+og", "000", false, "1624")]
    [InlineData("o+r,g+w,a+t,g-s,u+og", "2100", false, "1724")]
    [InlineData("o+r,g+w,a+t,g-s,u+og", "6000", true, "5624")]
    [InlineData("go-w", "777", false, "755")]
    [InlineData("=rw,+X", "766", false, "777")]
    [InlineData("u=rwx,go=rx", "000", false, "755")]
    [InlineData("u=rwx,go=u-w", "000", false, "755")]
    [InlineData("go=", "777", false, "700")]
    [InlineData("go=u-w", "670", false, "644")]
    [InlineData("go=u-w", "370", false, "311")]
    [InlineData("+x", "644", false, "755")]
    [InlineData("g=u", "640", false, "660")]
    [InlineData("u=rwX,go=rX", "600", false, "644")]
    [InlineData("u=rwX,go=rX", "700", false, "755")]
    [InlineData("u=rwX,go=rX", "124", true, "755")]
    [InlineData("a=rX", "700", true, "555")]
    [InlineData("a=rX", "600", false, "444")]
    public void Symbolic_modes_edit_the_source_mode(string text, string original, bool isDirectory, string expected)
    {
        Assert.True(ChmodSpec.TryParse(text, out var spec, out var error), error);
        var mode = spec!.Apply(Octal(original), isDirectory);
        Assert.Equal(expected.TrimStart('0').PadLeft(1, '0'), Convert.ToString((int)mode, 8));
    }

    [Theory]
    [InlineData("755", "755")]
    [InlineData("0644", "644")]
    [InlineData("0", "000")]
    [InlineData("4755", "4755")]
    [InlineData("07777", "7777")]
    [InlineData("000000000755", "755")]
    public void Octal_modes_replace_the_mode_whatever_it_was(string text, string expected)
    {
        Assert.True(ChmodSpec.TryParse(text, out var spec, out var error), error);
        Assert.Equal(Octal(expected), spec!.Apply(Octal("7777"), isDirectory: false));
        Assert.Equal(Octal(expected), spec.Apply(0, isDirectory: true));
    }

    [Theory]
    [InlineData("")]
    [InlineData(",")]
    [InlineData("q+r")]
    [InlineData("z")]
    [InlineData("u")]
    [InlineData("go")]
    [InlineData("u+x,")]
    [InlineData("u+q")]
    [InlineData("u+x g-w")]
    [InlineData("64a")]
    [InlineData("9")]
    [InlineData("10000")]
    [InlineData("017777")]
    [InlineData("0x755")]
    public void Invalid_modes_are_refused_with_a_reason(string text)
    {
        Assert.False(ChmodSpec.TryParse(text, out var spec, out var error));
        Assert.Null(spec);
        Assert.False(string.IsNullOrEmpty(error));
    }

    private static UnixFileMode Octal(string digits) => (UnixFileMode)Convert.ToInt32(digits, 8);
}
