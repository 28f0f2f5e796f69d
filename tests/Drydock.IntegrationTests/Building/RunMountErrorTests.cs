namespace Drydock.IntegrationTests.Building;

/// <summary>RUN flags and mounts that cannot work end the build with one message at the Dockerfile line.</summary>
public sealed class RunMountErrorTests
{
    [RootTheory]
    [InlineData("RUN --mount=type=secret,id=absent,required true", "Dockerfile:2:1: RUN: secret absent: not found")]
    [InlineData("RUN --mount=type=ssh,required true", "Dockerfile:2:1: RUN: no ssh agent default was given to the build")]
    [InlineData("RUN --mount=type=ssh,id=deploy,required=true true", "Dockerfile:2:1: RUN: no ssh agent deploy was given to the build")]
    [InlineData("RUN --security=insecure true", "Dockerfile:2:1: RUN: --security=insecure is not allowed")]
    [InlineData("RUN --mount=type=tmpfs,target=/t,uid=1 true", "Dockerfile:2:1: uid not allowed for \"tmpfs\" type mounts")]
    [InlineData("RUN --mount=type=cache,target=/ true", "Dockerfile:2:1: RUN: invalid mount target \"/\"")]
    [InlineData("ARG STAGE=x\nRUN --mount=from=$STAGE,target=/x true", "Dockerfile:3:1: 'from' doesn't support variable expansion")]
    public async Task The_build_fails_with_the_reason_at_the_line(string instruction, string expected)
    {
        using var context = new ContextDirectory().Dockerfile($"FROM scratch\n{instruction}\n");

        var result = await DrydockRunner.BuildAsync(["--no-push", context.Path]);

        Assert.Equal(1, result.ExitCode);
        var error = Assert.Single(DrydockRunner.ErrorLines(result));
        Assert.StartsWith("ERROR " + expected, error, StringComparison.Ordinal);
    }
}
