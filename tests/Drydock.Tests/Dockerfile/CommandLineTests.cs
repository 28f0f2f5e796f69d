using Drydock.Dockerfile;

namespace Drydock.Tests.Dockerfile;

/// <summary>Shell form versus exec form for RUN, CMD and ENTRYPOINT.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void Shell_form_is_the_rest_of_the_line_as_written()
    {
        Assert.Equal(
            new CommandLine.ShellForm("echo \"$HOME\" 'x'  |  wc -c"),
            Df.One<RunInstruction>("RUN   echo \"$HOME\" 'x'  |  wc -c  \n").Command);
    }

    [Fact]
    public void Exec_form_is_the_json_list()
    {
        var exec = Assert.IsType<CommandLine.ExecForm>(Df.One<CmdInstruction>("CMD [\"nginx\", \"-g\", \"daemon off;\"]\n").Command);

        Assert.Equal(["nginx", "-g", "daemon off;"], exec.Arguments);
    }

    [Theory]
    [InlineData("CMD ['single', 'quotes']")]
    [InlineData("CMD [\"unterminated\"")]
    public void Invalid_json_falls_back_to_shell_form(string line)
    {
        Assert.IsType<CommandLine.ShellForm>(Df.One<CmdInstruction>(line + "\n").Command);
    }

    [Fact]
    public void Empty_json_list_is_an_empty_exec_form()
    {
        Assert.Empty(Assert.IsType<CommandLine.ExecForm>(Df.One<EntrypointInstruction>("ENTRYPOINT []\n").Command).Arguments);
        Assert.Empty(Assert.IsType<CommandLine.ExecForm>(Df.One<CmdInstruction>("CMD []\n").Command).Arguments);
    }

    [Fact]
    public void Bare_cmd_is_an_empty_shell_command_like_buildkit()
    {
        Assert.Equal(new CommandLine.ShellForm(""), Df.One<CmdInstruction>("CMD\n").Command);
    }

    [Fact]
    public void Cmd_rejects_flags_at_validation()
    {
        Assert.Equal("unknown flag: --doit", Df.ErrorOf("CMD --doit [\"a\"]\n").Reason);
    }
}
