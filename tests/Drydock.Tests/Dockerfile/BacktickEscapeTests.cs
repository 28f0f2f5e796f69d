using Drydock.Dockerfile;

namespace Drydock.Tests.Dockerfile;

/// <summary><c># escape=`</c> (Windows-style Dockerfiles): backslashes become ordinary text.</summary>
public sealed class BacktickEscapeTests
{
    private const string Header = "# escape=`\nFROM mcr.microsoft.com/windows/servercore\n";

    [Fact]
    public void Backtick_continues_lines_and_backslash_is_plain_text()
    {
        var doc = Df.Parse(Header + "WORKDIR C:\\app\\\nRUN dir C:\\ `\n    && echo done\n");

        Assert.Equal('`', doc.EscapeChar);
        Assert.Equal("`", doc.Directive("escape"));
        var stage = doc.Stages.Single();
        Assert.Equal("C:\\app\\", Assert.IsType<WorkdirInstruction>(stage.Instructions[0]).Path);
        Assert.Equal(new CommandLine.ShellForm("dir C:\\     && echo done"), Assert.IsType<RunInstruction>(stage.Instructions[1]).Command);
    }

    [Fact]
    public void Json_keeps_its_own_backslash_escapes()
    {
        var run = Df.Parse(Header + "RUN [\"C:\\\\tools\\\\x.exe\", \"-q\"]\n").Stages.Single().Instructions.Single();

        var exec = Assert.IsType<CommandLine.ExecForm>(Assert.IsType<RunInstruction>(run).Command);
        Assert.Equal(["C:\\tools\\x.exe", "-q"], exec.Arguments);
    }

    [Fact]
    public void Flag_words_use_the_backtick_for_escapes()
    {
        var node = DockerfileParser.ParseAst(Header + "COPY --chown=a`\"b --chmod=\"7`\"55\" --from=c\\d x y\n").Children[1];

        Assert.Equal(["--chown=a\"b", "--chmod=7\"55", "--from=c\\d"], node.Flags);
    }

    [Fact]
    public void Env_splitter_and_expansion_use_the_backtick()
    {
        var doc = Df.Parse(Header + "ENV A=`$HOME B=\"x\\y\" C=one` two\n");
        var env = Assert.IsType<EnvInstruction>(doc.Stages.Single().Instructions.Single());

        Assert.Equal(["`$HOME", "\"x\\y\"", "one` two"], env.Variables.Select(v => v.Value));
        var expanded = env.Expand(new VariableExpander(doc.EscapeChar, Df.Vars(("HOME", "/root"))));
        Assert.Equal(["$HOME", "x\\y", "one two"], expanded.Variables.Select(v => v.Value));
    }

    [Fact]
    public void Double_escape_at_line_end_does_not_continue()
    {
        var ast = DockerfileParser.ParseAst(Header + "RUN echo ``\nRUN echo next\n");

        Assert.Equal(3, ast.Children.Count);
    }
}
