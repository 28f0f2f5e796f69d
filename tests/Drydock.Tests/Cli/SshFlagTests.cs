using Drydock.Building.Mounts;
using Drydock.Cli;

namespace Drydock.Tests.Cli;

public sealed class SshFlagTests
{
    private static readonly Func<string, string?> WithAgent = name => name == "SSH_AUTH_SOCK" ? "/tmp/agent.sock" : null;

    [Theory]
    [InlineData("default", "default", "/tmp/agent.sock")]
    [InlineData("deploy", "deploy", "/tmp/agent.sock")]
    [InlineData("deploy=/run/other.sock", "deploy", "/run/other.sock")]
    public void Values_are_read_as_buildx_reads_them(string text, string id, string socket) =>
        Assert.Equal(new SshAgentSource(id, socket), SshFlag.Parse(text, WithAgent));

    [Theory]
    [InlineData("default", "SSH_AUTH_SOCK is not set")]
    [InlineData("=/x", "needs an id")]
    [InlineData("a=", "give one agent socket")]
    [InlineData("a=/x,/y", "give one agent socket")]
    public void Bad_values_say_what_to_write(string text, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => SshFlag.Parse(text, _ => null));

        Assert.Contains(expected, error.Message);
        Assert.Contains("write default, ID or ID=SOCKET", error.Message);
    }
}
