using Drydock.Dockerfile;

namespace Drydock.Tests.Dockerfile;

/// <summary>Instruction-level validation: argument counts and forms, reported at file:line:column.</summary>
public sealed class ValidationTests
{
    [Theory]
    [InlineData("MAINTAINER", "MAINTAINER requires exactly one argument")]
    [InlineData("WORKDIR", "WORKDIR requires exactly one argument")]
    [InlineData("USER", "USER requires exactly one argument")]
    [InlineData("STOPSIGNAL", "STOPSIGNAL requires exactly one argument")]
    [InlineData("ENV", "ENV requires at least one argument")]
    [InlineData("LABEL", "LABEL requires at least one argument")]
    [InlineData("ONBUILD", "ONBUILD requires at least one argument")]
    [InlineData("HEALTHCHECK", "HEALTHCHECK requires at least one argument")]
    [InlineData("EXPOSE", "EXPOSE requires at least one argument")]
    [InlineData("VOLUME", "VOLUME requires at least one argument")]
    [InlineData("ARG", "ARG requires at least one argument")]
    [InlineData("SHELL []", "SHELL requires at least one argument")]
    [InlineData("ADD x", "ADD requires at least two arguments, but only one was provided. Destination could not be determined")]
    [InlineData("COPY x", "COPY requires at least two arguments, but only one was provided. Destination could not be determined")]
    public void Missing_arguments(string line, string reason)
    {
        var e = Df.ErrorOf(line + "\n");

        Assert.Equal(reason, e.Reason);
        Assert.Equal($"Dockerfile:2:1: {reason}", e.Message.Split('\n')[0]);
        Assert.StartsWith("usage: ", e.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Copy_followed_by_a_tab_has_no_arguments_and_the_indented_lines_are_instructions()
    {
        var ast = DockerfileParser.ParseAst("FROM scratch\nCOPY\t\n  RUN true\n  CMD x\n");

        Assert.Equal(["from", "copy", "run", "cmd"], ast.Children.Select(n => n.Keyword));
        Assert.Equal("(copy)", ast.Children[1].Dump());
        Assert.Equal((3, 3), (Df.Error("FROM scratch\n\n  COPY\t\n").Line, Df.Error("FROM scratch\n\n  COPY\t\n").Column));
    }

    [Fact]
    public void Env_without_value_is_an_ast_error_with_location()
    {
        var e = Assert.Throws<DockerfileException>(() => DockerfileParser.ParseAst("FROM busybox\n\nENV PATH\n"));

        Assert.Equal("Dockerfile:3:1: ENV must have two arguments", e.Message.Split('\n')[0]);
    }

    [Fact]
    public void Key_value_form_needs_equals_in_every_word()
    {
        var e = Df.ErrorOf("LABEL a=b c\n");

        Assert.Equal("Syntax error - can't find = in \"c\". Must be of the form: name=value", e.Reason);
    }

    [Theory]
    [InlineData("ENV =x", "ENV names can not be blank")]
    [InlineData("LABEL =x", "LABEL names can not be blank")]
    [InlineData("ARG =x", "ARG names can not be blank")]
    public void Blank_names(string line, string reason)
    {
        Assert.Equal(reason, Df.ErrorOf(line + "\n").Reason);
    }

    [Fact]
    public void Shell_must_be_json()
    {
        var e = Df.ErrorOf("SHELL /bin/bash -c\n");

        Assert.Equal("SHELL requires the arguments to be in JSON form", e.Reason);
        Assert.Equal(["pwsh", "-c"], Df.One<ShellInstruction>("SHELL [\"pwsh\", \"-c\"]\n").Shell);
    }

    [Fact]
    public void Json_with_a_non_string_element_is_an_error_not_shell_form()
    {
        var e = Df.ErrorOf("CMD [\"echo\", 1]\n");

        Assert.Equal("when using JSON array syntax, arrays must be comprised of strings only", e.Reason);
        Assert.Equal(2, e.Line);
    }

    [Theory]
    [InlineData("VOLUME [\"\"]")]
    [InlineData("VOLUME [\"/a\", \"  \"]")]
    public void Empty_volume_is_an_error(string line)
    {
        Assert.Equal("VOLUME specified can not be an empty string", Df.ErrorOf(line + "\n").Reason);
    }

    [Fact]
    public void Only_arg_may_come_before_the_first_from()
    {
        var e = Df.Error("ARG V=1\nRUN echo $V\nFROM scratch\n");

        Assert.Equal("no build stage in current context", e.Reason);
        Assert.Equal(2, e.Line);
        Assert.Equal("RUN must come after a FROM; only ARG may come before the first FROM", e.Hint);
    }

    [Fact]
    public void Stage_names_must_be_unique()
    {
        var e = Df.Error("FROM a AS x\nFROM b AS X\n");

        Assert.Equal("Dockerfile:2:1: duplicate stage name \"x\"", e.Message.Split('\n')[0]);
    }

    [Fact]
    public void File_name_is_part_of_the_location()
    {
        var e = Assert.Throws<DockerfileException>(() => DockerfileParser.Parse("FROM scratch\nWORKDIR\n", "build/app.Dockerfile"));

        Assert.Equal(("build/app.Dockerfile", 2, 1), (e.FileName, e.Line, e.Column));
        Assert.StartsWith("build/app.Dockerfile:2:1: WORKDIR requires exactly one argument\nusage: WORKDIR <path>", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# just a comment\n\n   \n")]
    [InlineData("\uFEFF")]
    public void File_without_instructions_is_an_error(string text)
    {
        var e = Df.Error(text);

        Assert.Equal("file with no instructions", e.Reason);
        Assert.StartsWith("Dockerfile: file with no instructions", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Over_long_line_is_an_error()
    {
        var e = Df.Error("FROM scratch\nRUN echo " + new string('x', 65536) + "\n");

        Assert.Equal("dockerfile line greater than max allowed size of 65535", e.Reason);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void Line_just_under_the_limit_is_fine()
    {
        var run = Df.One<RunInstruction>("RUN " + new string('x', 65531) + "\n");

        Assert.Equal(65531, Assert.IsType<CommandLine.ShellForm>(run.Command).Text.Length);
    }

    [Fact]
    public void Crlf_and_bom_are_handled()
    {
        var doc = Df.Parse("\uFEFFFROM alpine\r\nRUN echo a \\\r\n  b\r\n");

        var run = Assert.IsType<RunInstruction>(doc.Stages.Single().Instructions.Single());
        Assert.Equal(new CommandLine.ShellForm("echo a   b"), run.Command);
        Assert.Equal("alpine", doc.Stages[0].From.Image);
    }
}
