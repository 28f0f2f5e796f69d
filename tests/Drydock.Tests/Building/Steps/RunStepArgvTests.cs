using Drydock.Building.Steps;
using Drydock.Building;
using Drydock.Dockerfile;
using Drydock.Oci;
using Drydock.Tests.Dockerfile;

namespace Drydock.Tests.Building.Steps;

/// <summary>What RUN executes, and so what its history says, for every heredoc form BuildKit knows.</summary>
public sealed class RunStepArgvTests
{
    private static readonly StageState State = new(new ImageConfig(), [], dockerMediaTypes: false);

    [Fact]
    public void Shell_and_exec_forms_without_heredocs_are_unchanged()
    {
        Assert.Equal(["/bin/sh", "-c", "echo hi"], Argv("RUN echo hi\n"));
        Assert.Equal(["echo", "hi"], Argv("RUN [\"echo\", \"hi\"]\n"));
    }

    [Fact]
    public void A_lone_heredoc_is_the_shell_command_itself()
    {
        Assert.Equal(["/bin/sh", "-c", "echo one\necho two\n"], Argv("RUN <<EOF\necho one\necho two\nEOF\n"));
    }

    [Fact]
    public void A_lone_dash_heredoc_loses_its_leading_tabs()
    {
        Assert.Equal(["/bin/sh", "-c", "echo one\n"], Argv("RUN <<-EOF\n\techo one\n\tEOF\n"));
    }

    [Fact]
    public void A_lone_heredoc_with_a_shebang_runs_from_dev_pipes()
    {
        Assert.Equal(["/bin/sh", "-c", "/dev/pipes/SCRIPT"], Argv("RUN <<SCRIPT\n#!/usr/bin/env python3\nprint('hi')\nSCRIPT\n"));
        Assert.Equal(["/bin/sh", "-c", "/dev/pipes/EOF"], Argv("RUN <<'EOF'\n#!/bin/sh\necho $HOME\nEOF\n"));
    }

    [Fact]
    public void Heredocs_inside_a_command_are_put_back_for_the_shell()
    {
        Assert.Equal(
            ["/bin/sh", "-c", "python3 <<EOF\nprint('hi')\nEOF"],
            Argv("RUN python3 <<EOF\nprint('hi')\nEOF\n"));
        Assert.Equal(
            ["/bin/sh", "-c", "cat <<A > f && cat <<-\"B\" >> f\none\nA\n\ttwo\nB"],
            Argv("RUN cat <<A > f && cat <<-\"B\" >> f\none\nA\n\ttwo\n\tB\n"));
    }

    [Fact]
    public void The_stage_shell_runs_heredocs()
    {
        var state = new StageState(new ImageConfig { Config = new ContainerConfig { Shell = ["/bin/bash", "-eo", "pipefail", "-c"] } }, [], dockerMediaTypes: false);

        Assert.Equal(["/bin/bash", "-eo", "pipefail", "-c", "echo hi\n"], RunStep.Argv(Df.One<RunInstruction>("RUN <<EOF\necho hi\nEOF\n"), state));
    }

    private static IReadOnlyList<string> Argv(string instruction) => RunStep.Argv(Df.One<RunInstruction>(instruction), State);
}
