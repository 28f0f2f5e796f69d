using Drydock.Dockerfile;

namespace Drydock.Tests.Dockerfile;

public sealed class DirectiveTests
{
    [Fact]
    public void Syntax_escape_and_check_are_read_case_insensitively()
    {
        var doc = Df.Parse("# SYNTAX = docker/dockerfile:1.7\n#Escape=`\n# check=skip=JSONArgsRecommended;error=true\nFROM a\n");

        Assert.Equal(
            [new ParserDirective("syntax", "docker/dockerfile:1.7", 1), new ParserDirective("escape", "`", 2),
             new ParserDirective("check", "skip=JSONArgsRecommended;error=true", 3)],
            doc.Directives);
        Assert.Equal('`', doc.EscapeChar);
        Assert.Equal("docker/dockerfile:1.7", doc.Directive("syntax"));
    }

    [Theory]
    [InlineData("# comment\n# escape=`\nFROM a\n")]
    [InlineData("\n# escape=`\nFROM a\n")]
    [InlineData("# unknown=1\n# escape=`\nFROM a\n")]
    [InlineData("FROM a\n# escape=`\n")]
    public void Directives_after_anything_else_are_plain_comments(string text)
    {
        var doc = Df.Parse(text);

        Assert.Equal('\\', doc.EscapeChar);
        Assert.Null(doc.Directive("escape"));
    }

    [Fact]
    public void Repeated_directive_is_an_error()
    {
        var e = Df.Error("# escape=\\\n# ESCAPE=`\nFROM a\n");

        Assert.Equal("only one escape parser directive can be used", e.Reason);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void Bad_escape_value_is_an_error()
    {
        var e = Df.Error("# escape=x\nFROM a\n");

        Assert.Equal("Dockerfile:1:1: invalid escape token 'x' does not match ` or \\", e.Message.Split('\n')[0]);
    }

    [Fact]
    public void Directive_without_value_is_just_a_comment()
    {
        Assert.Empty(Df.Parse("# escape=\nFROM a\n").Directives);
    }
}
