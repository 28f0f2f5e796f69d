using System.Runtime.Versioning;
using Drydock.Sandbox;

namespace Drydock.Tests.Sandbox;

/// <summary>
/// Runs real commands in place: in a throwaway busybox root (entered with chroot, as any root
/// but "/" is), or, for read-only commands that look at their own confinement, where the tests run.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class InPlaceSandboxTests : IDisposable
{
    private readonly BusyboxRootfs _rootfs = new();
    private readonly InPlaceSandbox _sandbox = new();

    public void Dispose() => _rootfs.Dispose();

    [RootFact]
    public async Task A_command_gets_its_user_groups_working_directory_and_exactly_its_environment()
    {
        Directory.CreateDirectory(_rootfs.Combine("work"));
        var (exitCode, lines) = await RunAsync(new SandboxRequest(
            _rootfs.Path, ["sh", "-c", "id; pwd; env | sort"], ["PATH=/bin", "ONLY=this"], "/work", new RunUser(1000, 1000, [2000])));
        Assert.Equal(0, exitCode);
        Assert.Equal(["uid=1000(app) gid=1000(app) groups=2000(extra)", "/work", "ONLY=this", "PATH=/bin", "PWD=/work", "SHLVL=1"], lines);
    }

    [RootTheory]
    [InlineData("exit 3", 3)]
    [InlineData("kill -9 $$", 137)]
    public async Task Returns_the_command_exit_code(string script, int expected)
    {
        var (exitCode, _) = await RunAsync(Request(["sh", "-c", script]));
        Assert.Equal(expected, exitCode);
    }

    [RootFact]
    public async Task A_missing_command_is_127_with_the_launcher_message()
    {
        var (exitCode, lines) = await RunAsync(Request(["no-such-tool"]));
        Assert.Equal(127, exitCode);
        Assert.Equal(["drydock-run: exec \"no-such-tool\": executable file not found in $PATH"], lines);
    }

    [RootTheory]
    [InlineData(0u, "CapEff:\t00000000a80425fb")]
    [InlineData(1000u, "CapEff:\t0000000000000000")]
    public async Task A_command_takes_Docker_confinement_as_far_as_the_caller_allows(uint uid, string capabilities)
    {
        // Read-only, so it may run where the tests run: the caller here is root with every capability.
        var request = new SandboxRequest("/", ["/bin/busybox", "grep", "-E", "^(CapEff|Seccomp):", "/proc/self/status"], ["PATH=/bin"], "/", new RunUser(uid, uid, []));
        var (exitCode, lines) = await RunAsync(request);
        Assert.Equal(0, exitCode);
        Assert.Equal([capabilities, "Seccomp:\t2"], lines);
    }

    [RootFact]
    public async Task Mounts_are_refused_since_the_caller_puts_them_in_place()
    {
        var request = Request(["true"]) with { Mounts = [new SandboxMount.Tmpfs("/scratch")] };
        await Assert.ThrowsAsync<ArgumentException>(() => _sandbox.RunAsync(request, _ => { }, CancellationToken.None));
    }

    private SandboxRequest Request(string[] argv) => new(_rootfs.Path, argv, ["PATH=/bin"], "/", RunUser.Root);

    private async Task<(int ExitCode, List<string> Lines)> RunAsync(SandboxRequest request)
    {
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exitCode = await _sandbox.RunAsync(request, lines.Add, timeout.Token);
        return (exitCode, lines);
    }
}
