using Drydock.Dockerfile;

namespace Drydock.Tests.Dockerfile;

/// <summary>
/// JSON-form arguments followed by more text on the line: the first JSON array is the argument
/// list and the rest is ignored, as kaniko's parser (and BuildKit's before frontend 1.10) reads them.
/// </summary>
public sealed class JsonTrailingTextTests
{
    [Fact]
    public void Entrypoint_and_cmd_with_a_trailing_comment_are_exec_form()
    {
        var doc = Df.Parse("FROM scratch\nENTRYPOINT [\"myentrypoint\"] # a comment\nCMD [\"a\", \"b\"]   trailing words\n");
        var instructions = doc.Stages[0].Instructions;

        Assert.Equal(["myentrypoint"], Assert.IsType<CommandLine.ExecForm>(Assert.IsType<EntrypointInstruction>(instructions[0]).Command).Arguments);
        Assert.Equal(["a", "b"], Assert.IsType<CommandLine.ExecForm>(Assert.IsType<CmdInstruction>(instructions[1]).Command).Arguments);
    }

    [Fact]
    public void Run_with_trailing_text_is_exec_form()
    {
        var run = Df.One<RunInstruction>("RUN [\"echo\", \"hello\"]this is ignored\n");

        Assert.Equal(["echo", "hello"], Assert.IsType<CommandLine.ExecForm>(run.Command).Arguments);
    }

    [Fact]
    public void Empty_array_with_trailing_text_resets_the_entrypoint()
    {
        var entrypoint = Df.One<EntrypointInstruction>("ENTRYPOINT []random string\n");

        Assert.Empty(Assert.IsType<CommandLine.ExecForm>(entrypoint.Command).Arguments);
    }

    [Fact]
    public void Shell_healthcheck_and_volume_take_the_array_alone()
    {
        Assert.Equal(["/bin/bash", "-c"], Df.One<ShellInstruction>("SHELL [\"/bin/bash\", \"-c\"] # bash\n").Shell);
        Assert.Equal(["CMD", "/check", "--quiet"], Df.One<HealthcheckInstruction>("HEALTHCHECK CMD [\"/check\", \"--quiet\"] # probe\n").Test);
        Assert.Equal(["/data", "/logs"], Df.One<VolumeInstruction>("VOLUME [\"/data\", \"/logs\"] # two\n").Volumes);
    }

    [Fact]
    public void Copy_and_add_take_the_array_alone()
    {
        var copy = Df.One<CopyInstruction>("COPY [\"a b\", \"/dest/\"] # spaces\n");
        var add = Df.One<AddInstruction>("ADD [\"x\", \"/y\"]trailing\n");

        Assert.Equal(["a b"], copy.Sources);
        Assert.Equal("/dest/", copy.Destination);
        Assert.Equal(["x"], add.Sources);
        Assert.Equal("/y", add.Destination);
    }

    [Fact]
    public void Onbuild_trigger_keeps_its_exec_form()
    {
        var onbuild = Df.One<OnbuildInstruction>("ONBUILD RUN [\"make\"] # later\n");
        var trigger = Df.One<RunInstruction>(onbuild.Expression + "\n");

        Assert.Equal(["make"], Assert.IsType<CommandLine.ExecForm>(trigger.Command).Arguments);
    }

    [Fact]
    public void A_line_that_does_not_start_with_an_array_stays_shell_form()
    {
        var cmd = Df.One<CmdInstruction>("CMD echo [\"a\"]\n");
        var broken = Df.One<RunInstruction>("RUN [\"echo\" # never closed\n");

        Assert.Equal("echo [\"a\"]", Assert.IsType<CommandLine.ShellForm>(cmd.Command).Text);
        Assert.Equal("[\"echo\" # never closed", Assert.IsType<CommandLine.ShellForm>(broken.Command).Text);
    }

    [Fact]
    public void A_non_string_element_is_still_an_error_despite_trailing_text()
    {
        var error = Df.ErrorOf("CMD [\"a\", 1] # comment\n");

        Assert.Contains("arrays must be comprised of strings only", error.Message, StringComparison.Ordinal);
        Assert.Contains("Dockerfile:2", error.Message, StringComparison.Ordinal);
    }
}
