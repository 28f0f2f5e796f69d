using Drydock.Building.Mounts;

namespace Drydock.IntegrationTests.Building;

/// <summary>RUN --mount=type=ssh against a real ssh-agent: through the CLI, and the forwarding socket alone.</summary>
public sealed class RunSshMountTests
{
    [RootFact]
    public async Task The_agent_is_at_the_target_as_SSH_AUTH_SOCK_and_nowhere_in_the_image()
    {
        await using var agent = await SshAgent.StartAsync();
        using var context = RunBuildContexts.WithBusybox(RunBuildContexts.BusyboxStage + """
            RUN --mount=type=ssh sh -c '[ -S "$SSH_AUTH_SOCK" ] && echo "$SSH_AUTH_SOCK" > /default-agent && stat -c "%a %u:%g" "$SSH_AUTH_SOCK" >> /default-agent'
            RUN --mount=type=ssh,id=deploy,target=/agent,mode=0660,uid=1000,gid=1000 --mount=type=ssh,id=absent sh -c 'echo "$SSH_AUTH_SOCK" > /deploy-agent; [ -S /agent ] && stat -c "%a %u:%g" /agent >> /deploy-agent; [ -e /run/buildkit/ssh_agent.1 ] || echo absent >> /deploy-agent'
            """);
        using var work = new TempDirectory("drydock-e2e-ssh-");
        var layout = work.Combine("layout");

        var result = await DrydockRunner.BuildAsync(
            ["--no-push", "-t", "localhost/ssh:t", "--oci-layout-path", layout, "--ssh", "default", "--ssh", $"deploy={agent.SocketPath}", context.Path],
            new Dictionary<string, string?> { ["SSH_AUTH_SOCK"] = agent.SocketPath });
        DrydockRunner.Digest(result);

        var image = await ImageInspector.UnpackLayoutAsync(layout, "t", work.Combine("bundle"));
        Assert.Equal("/run/buildkit/ssh_agent.0\n600 0:0\n", File.ReadAllText(image.HostPath("/default-agent")));
        Assert.Equal("/agent\n660 1000:1000\nabsent\n", File.ReadAllText(image.HostPath("/deploy-agent")));
        var entries = (await ImageInspector.LayerEntriesAsync(layout, "t")).SelectMany(layer => layer).ToArray();
        Assert.DoesNotContain(entries, entry => entry.Contains("run/buildkit", StringComparison.Ordinal) || entry.TrimEnd('/') is "agent" or "./agent");
        Assert.False(ImageInspector.Exists(image.HostPath("/run")), "the mount points must not stay");
    }

    [RootFact]
    public async Task The_forwarding_socket_reaches_the_agent_and_stops_with_the_run()
    {
        await using var agent = await SshAgent.StartAsync();
        using var directory = new TempDirectory("dd-fwd-");
        var socket = directory.Combine("s");

        using (SshAgentForwarder.Start(agent.SocketPath, socket, 0, 0, (UnixFileMode)0b110_000_000))
        {
            var listed = await SshAgent.ListKeysAsync(socket);
            Assert.True(listed.Succeeded, listed.ToString());
            Assert.Contains(agent.Fingerprint, listed.StandardOutput);
        }

        Assert.False((await SshAgent.ListKeysAsync(socket)).Succeeded);
    }
}
