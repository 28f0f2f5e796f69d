using System.Runtime.Versioning;
using Drydock.Native;
using Drydock.Sandbox;

namespace Drydock.Tests.Sandbox;

/// <summary>The request's own mounts and network: real namespaces, so Linux and root, like <see cref="ChrootSandboxTests"/>.</summary>
[SupportedOSPlatform("linux")]
public sealed class SandboxMountTests : IDisposable
{
    private readonly BusyboxRootfs _rootfs = new();
    private readonly TempDirectory _host = new("drydock-mount-source-");
    private readonly ChrootSandbox _sandbox = new();

    public SandboxMountTests()
    {
        Directory.CreateDirectory(Path.Combine(_host, "dir/sub"));
        File.WriteAllText(Path.Combine(_host, "dir/file"), "from the host\n");
        File.WriteAllText(Path.Combine(_host, "single"), "one file\n");
        foreach (var applet in new[] { "cut", "tr", "tail", "df" })
        {
            File.CreateSymbolicLink(_rootfs.Combine("bin/" + applet), "busybox");
        }
    }

    public void Dispose()
    {
        _rootfs.Dispose();
        _host.Dispose();
    }

    [RootFact]
    public async Task Read_only_bind_is_readable_refuses_writes_and_leaves_no_mount_point()
    {
        var before = Listing();
        var (exitCode, lines) = await RunAsync(
            "cat /src/file; touch /src/new 2>/dev/null || echo refused; cat /etc/one",
            new SandboxMount.Bind(Path.Combine(_host, "dir"), "/src", BindWrites.Refused),
            new SandboxMount.Bind(Path.Combine(_host, "single"), "/etc/one", BindWrites.Refused));

        Assert.Equal(0, exitCode);
        Assert.Equal(["from the host", "refused", "one file"], lines);
        Assert.False(File.Exists(Path.Combine(_host, "dir/new")));
        Assert.Equal(before, Listing());
    }

    [RootFact]
    public async Task Kept_writes_reach_the_source()
    {
        var (exitCode, _) = await RunAsync(
            "echo kept > /cache/made; rm /cache/file",
            new SandboxMount.Bind(Path.Combine(_host, "dir"), "/cache", BindWrites.Kept));

        Assert.Equal(0, exitCode);
        Assert.Equal("kept\n", File.ReadAllText(Path.Combine(_host, "dir/made")));
        Assert.False(File.Exists(Path.Combine(_host, "dir/file")));
        Assert.False(Path.Exists(_rootfs.Combine("cache")));
    }

    [RootFact]
    public async Task Discarded_writes_are_seen_by_the_command_only()
    {
        File.SetUnixFileMode(Path.Combine(_host, "dir"), (UnixFileMode)0b111_111_000);
        NativeFiles.Lchown(Path.Combine(_host, "dir"), 1000, 1000);
        var before = Listing();

        var (exitCode, lines) = await RunAsync(
            "echo changed > /src/file; touch /src/new; rm -r /src/sub; cat /src/file; ls /src; stat -c '%u:%g %a' /src; echo x > /one; cat /one",
            new SandboxMount.Bind(Path.Combine(_host, "dir"), "/src", BindWrites.Discarded),
            new SandboxMount.Bind(Path.Combine(_host, "single"), "/one", BindWrites.Discarded));

        Assert.Equal(0, exitCode);
        Assert.Equal(["changed", "file", "new", "1000:1000 770", "x"], lines);
        Assert.Equal("from the host\n", File.ReadAllText(Path.Combine(_host, "dir/file")));
        Assert.True(Directory.Exists(Path.Combine(_host, "dir/sub")));
        Assert.False(File.Exists(Path.Combine(_host, "dir/new")));
        Assert.Equal("one file\n", File.ReadAllText(Path.Combine(_host, "single")));
        Assert.Equal(before, Listing());
    }

    [RootFact]
    public async Task Tmpfs_has_its_size_and_nested_mounts_are_made_inside_it()
    {
        var before = Listing();
        var (exitCode, lines) = await RunAsync(
            "grep -E ' /(scratch|scratch/deeper/src) ' /proc/mounts | while read dev dir type opts rest; do echo $dir $type; done; df -k /scratch | tail -n 1 | while read fs size rest; do echo $size; done; cat /scratch/deeper/src/file; echo data > /scratch/x",
            new SandboxMount.Bind(Path.Combine(_host, "dir"), "/scratch/deeper/src", BindWrites.Refused),
            new SandboxMount.Tmpfs("/scratch", 2 * 1024 * 1024));

        Assert.Equal(0, exitCode);
        Assert.Equal("/scratch tmpfs", lines[0]);
        Assert.StartsWith("/scratch/deeper/src ", lines[1], StringComparison.Ordinal);
        Assert.Equal(["2048", "from the host"], lines.Skip(2));
        Assert.Equal(before, Listing());
    }

    [RootFact]
    public async Task Mounts_below_the_sandbox_dev_are_made_in_its_tmpfs()
    {
        var before = Listing();
        var (exitCode, lines) = await RunAsync(
            "cat /dev/pipes/file",
            new SandboxMount.Bind(Path.Combine(_host, "dir"), "/dev/pipes", BindWrites.Refused));

        Assert.Equal(0, exitCode);
        Assert.Equal(["from the host"], lines);
        Assert.Equal(before, Listing());
    }

    [RootFact]
    public async Task A_symlinked_target_stays_inside_the_rootfs()
    {
        var hostPath = "/tmp/drydock-mount-escape-" + Guid.NewGuid().ToString("N");
        File.CreateSymbolicLink(_rootfs.Combine("link"), "/../../.." + hostPath);

        var (exitCode, lines) = await RunAsync("cat /link/file", new SandboxMount.Bind(Path.Combine(_host, "dir"), "/link", BindWrites.Refused));

        Assert.Equal(0, exitCode);
        Assert.Equal(["from the host"], lines);
        Assert.False(Path.Exists(hostPath));
        Assert.False(Path.Exists(_rootfs.Combine("tmp")));
    }

    [RootFact]
    public async Task Missing_bind_source_is_a_sandbox_error()
    {
        var before = Listing();
        var error = await Assert.ThrowsAsync<SandboxException>(
            () => RunAsync("true", new SandboxMount.Bind(Path.Combine(_host, "absent"), "/src", BindWrites.Refused)));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Listing());
    }

    [RootFact]
    public async Task Network_none_has_only_the_loopback_interface_and_it_is_up()
    {
        var (exitCode, lines) = await RunAsync(
            "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; echo ---; ls /sys/class/net; echo ---; cat /sys/class/net/lo/operstate /sys/class/net/lo/flags",
            network: SandboxNetwork.None);

        Assert.Equal(0, exitCode);
        Assert.Equal(["lo", "---", "lo", "---"], lines.Take(4));
        // IFF_UP is bit 0 of the flags (operstate says "unknown" for loopback even when up).
        Assert.Equal(1, Convert.ToInt32(lines[^1], 16) & 1);
    }

    [RootFact]
    public async Task Host_network_sees_the_host_interfaces()
    {
        var hostInterfaces = File.ReadAllLines("/proc/net/dev").Skip(2).Select(l => l.Split(':')[0].Trim()).Order(StringComparer.Ordinal);

        var (exitCode, lines) = await RunAsync("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");

        Assert.Equal(0, exitCode);
        Assert.Equal(hostInterfaces, lines.Order(StringComparer.Ordinal));
    }

    private async Task<(int ExitCode, List<string> Lines)> RunAsync(string script, params SandboxMount[] mounts) =>
        await RunAsync(script, SandboxNetwork.Host, mounts);

    private async Task<(int ExitCode, List<string> Lines)> RunAsync(string script, SandboxNetwork network, params SandboxMount[] mounts)
    {
        var request = new SandboxRequest(_rootfs.Path, ["sh", "-c", script], ["PATH=/bin"], "/", RunUser.Root)
        {
            Mounts = mounts,
            Network = network,
        };
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exitCode = await _sandbox.RunAsync(request, lines.Add, timeout.Token);
        return (exitCode, lines);
    }

    private IReadOnlyList<string> Listing() => RootfsListing.Tree(_rootfs.Path);
}
