namespace Drydock.Tests.Building.Steps;

/// <summary>The HOME a RUN gets when the environment sets none: its user's, as runc gives it.</summary>
public sealed class RunStepHomeTests
{
    private const string Passwd = "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n";

    [RootTheory]
    [InlineData("", "HOME=/root")]
    [InlineData("USER alice\n", "HOME=/home/alice")]
    [InlineData("USER 1000:5\n", "HOME=/home/alice")]
    [InlineData("USER 4242\n", "HOME=/")]
    [InlineData("ENV HOME=/opt\nUSER alice\n", "HOME=/opt")]
    [InlineData("ENV HOME=\"\"\nUSER alice\n", "HOME=/home/alice")]
    [InlineData("ARG HOME=/from-arg\n", "HOME=/from-arg")]
    public async Task Run_gets_the_home_of_its_user_unless_the_environment_sets_one(string instructions, string expected)
    {
        using var scenario = new BuildScenario($"FROM scratch\nCOPY passwd /etc/passwd\n{instructions}RUN work\n").File("passwd", Passwd);
        var image = await scenario.BuildAsync();

        var request = Assert.Single(scenario.Sandbox.Requests);
        Assert.Single(request.Environment, e => e.StartsWith("HOME=", StringComparison.Ordinal));
        Assert.Contains(expected, request.Environment);
        Assert.DoesNotContain(image.Env, e => e.StartsWith("HOME=", StringComparison.Ordinal) && e != "HOME=/opt" && e != "HOME=");
    }

    [RootFact]
    public async Task Without_passwd_home_is_slash()
    {
        using var scenario = new BuildScenario("FROM scratch\nRUN work\n");
        var image = await scenario.BuildAsync();

        Assert.Contains("HOME=/", Assert.Single(scenario.Sandbox.Requests).Environment);
        Assert.DoesNotContain(image.Env, e => e.StartsWith("HOME=", StringComparison.Ordinal));
    }
}
