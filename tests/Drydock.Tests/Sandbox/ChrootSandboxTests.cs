using System.Diagnostics;
using System.Runtime.Versioning;
using Drydock.Native;
using Drydock.Sandbox;

namespace Drydock.Tests.Sandbox;

/// <summary>Runs real commands in real namespaces: needs Linux and root, as the project's machines and CI are.</summary>
[SupportedOSPlatform("linux")]
public sealed class ChrootSandboxTests : IDisposable
{
    private static readonly string[] DefaultEnvironment = ["PATH=/bin"];

    private readonly BusyboxRootfs _rootfs = new();
    private readonly ChrootSandbox _sandbox = new();

    public void Dispose() => _rootfs.Dispose();

    [RootTheory]
    [InlineData("exit 0", 0)]
    [InlineData("exit 3", 3)]
    [InlineData("kill -9 $$", 137)]
    public async Task Returns_the_command_exit_code(string script, int expected)
    {
        var (exitCode, _) = await RunAsync(["sh", "-c", script]);
        Assert.Equal(expected, exitCode);
    }

    [RootFact]
    public async Task Output_lines_from_stdout_and_stderr_reach_the_callback_in_order()
    {
        var (exitCode, lines) = await RunAsync(["sh", "-c", "echo one; echo two >&2; printf 'three\\r\\nfour'"]);
        Assert.Equal(0, exitCode);
        Assert.Equal(["one", "two", "three", "four"], lines);
    }

    [RootFact]
    public async Task Missing_command_gives_the_launcher_error_and_127()
    {
        var (exitCode, lines) = await RunAsync(["no-such-tool", "arg"]);
        Assert.Equal(127, exitCode);
        Assert.Equal(["drydock-run: exec \"no-such-tool\": executable file not found in $PATH"], lines);

        (exitCode, lines) = await RunAsync(["/bin/no-such-tool"]);
        Assert.Equal(127, exitCode);
        Assert.Equal(["drydock-run: exec \"/bin/no-such-tool\": no such file or directory"], lines);
    }

    [RootFact]
    public async Task Command_that_is_not_executable_gives_126()
    {
        File.WriteAllText(_rootfs.Combine("bin/data"), "not a program");
        var (exitCode, lines) = await RunAsync(["/bin/data"]);
        Assert.Equal(126, exitCode);
        Assert.Equal(["drydock-run: exec \"/bin/data\": permission denied"], lines);
    }

    [RootFact]
    public async Task A_program_the_kernel_cannot_execute_is_an_exec_format_error()
    {
        // Executable, but neither ELF nor #!: the kernel answers ENOEXEC, as for a foreign CPU's binary without emulation.
        var program = _rootfs.Combine("bin/foreign");
        File.WriteAllBytes(program, [0x7f, (byte)'X', (byte)'Y', (byte)'Z', 0, 1, 2, 3]);
        File.SetUnixFileMode(program, BusyboxRootfs.Mode0755);

        var e = await Assert.ThrowsAsync<ExecFormatException>(() => RunAsync(["/bin/foreign", "arg"]));
        Assert.Equal("/bin/foreign", e.Program);
        Assert.Equal("exec \"/bin/foreign\": exec format error", e.Message);
    }

    [RootFact]
    public async Task Environment_is_exactly_the_one_given()
    {
        string[] environment = ["PATH=/bin", "FOO=bar baz", "EMPTY=", "MULTI=a=b"];
        var (exitCode, lines) = await RunAsync(["env"], environment);
        Assert.Equal(0, exitCode);
        Assert.Equal(environment.Order(StringComparer.Ordinal), lines.Order(StringComparer.Ordinal));
    }

    [RootFact]
    public async Task Command_is_looked_up_in_the_given_PATH()
    {
        Directory.CreateDirectory(_rootfs.Combine("opt/tools"));
        var tool = _rootfs.Combine("opt/tools/greet");
        File.WriteAllText(tool, "#!/bin/sh\necho greeted from $0\n");
        File.SetUnixFileMode(tool, BusyboxRootfs.Mode0755);

        var (exitCode, lines) = await RunAsync(["greet"], ["PATH=/nowhere:/opt/tools:/bin"]);
        Assert.Equal(0, exitCode);
        Assert.Equal(["greeted from /opt/tools/greet"], lines);

        (exitCode, _) = await RunAsync(["greet"], ["PATH=/bin"]);
        Assert.Equal(127, exitCode);
        // Not found through the host's PATH either: the host has /bin/busybox applets, the image has no sh in /usr/bin.
        (exitCode, _) = await RunAsync(["sh", "-c", "true"], ["PATH=/usr/bin"]);
        Assert.Equal(127, exitCode);
    }

    [RootFact]
    public async Task Runs_in_the_working_directory()
    {
        Directory.CreateDirectory(_rootfs.Combine("work/dir"));
        var (exitCode, lines) = await RunAsync(["pwd"], cwd: "/work/dir");
        Assert.Equal(0, exitCode);
        Assert.Equal(["/work/dir"], lines);
    }

    [RootFact]
    public async Task Missing_working_directory_is_a_sandbox_error()
    {
        var error = await Assert.ThrowsAsync<SandboxException>(() => RunAsync(["pwd"], cwd: "/not/there"));
        Assert.Equal("drydock-run: working directory \"/not/there\": no such file or directory", error.Message);
        AssertNoSandboxArtefacts();
    }

    [RootTheory]
    [InlineData("", "uid=0(root) gid=0(root)")]
    [InlineData("app", "uid=1000(app) gid=1000(app) groups=2000(extra)")]
    [InlineData("1000:2000", "uid=1000(app) gid=2000(extra)")]
    [InlineData("4242:4343", "uid=4242 gid=4343")]
    public async Task Runs_as_the_resolved_user(string userSpec, string expectedId)
    {
        var user = UserResolver.Resolve(_rootfs.Path, userSpec);
        var (exitCode, lines) = await RunAsync(["id"], user: user);
        Assert.Equal(0, exitCode);
        Assert.Equal([expectedId], lines);
    }

    [RootFact]
    public async Task Supplementary_groups_are_set()
    {
        var (exitCode, lines) = await RunAsync(["sh", "-c", "cat /proc/self/status | grep ^Groups"], user: new RunUser(1000, 1000, [2000, 3000]));
        Assert.Equal(0, exitCode);
        Assert.Equal("Groups:\t2000 3000", lines.Single().TrimEnd());
    }

    [RootFact]
    public async Task Command_runs_in_a_new_pid_namespace_with_its_own_proc()
    {
        var (exitCode, lines) = await RunAsync(["sh", "-c", "echo $$; ps -o pid | wc -l"]);
        Assert.Equal(0, exitCode);
        Assert.InRange(int.Parse(lines[0], System.Globalization.CultureInfo.InvariantCulture), 1, 2);
        // Header, the namespace's init, sh, ps and wc: nothing from the host.
        Assert.InRange(int.Parse(lines[1].Trim(), System.Globalization.CultureInfo.InvariantCulture), 2, 6);
    }

    [RootFact]
    public async Task Dev_holds_only_the_usual_devices()
    {
        var (exitCode, lines) = await RunAsync(["sh", "-c",
            "echo x > /dev/null && head -c 16 /dev/urandom | wc -c && head -c 4 /dev/zero | wc -c && ls /dev && test ! -e /dev/vda && test ! -e /dev/kmsg"]);
        Assert.Equal(0, exitCode);
        Assert.Equal("16", lines[0].Trim());
        Assert.Equal("4", lines[1].Trim());
        string[] expected = ["fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout", "tty", "urandom", "zero"];
        Assert.Equal(expected, lines.Skip(2).Order(StringComparer.Ordinal));
    }

    [RootFact]
    public async Task Sys_is_read_only_and_shm_and_pts_are_mounted()
    {
        var (exitCode, lines) = await RunAsync(["sh", "-c",
            "grep -E ' /(sys|dev/shm|dev/pts) ' /proc/mounts | while read dev dir type opts rest; do echo $dir $type ${opts%%,*}; done; touch /sys/x 2>/dev/null && echo writable || echo refused"]);
        Assert.Equal(0, exitCode);
        Assert.Contains("/sys sysfs ro", lines);
        Assert.Contains("/dev/shm tmpfs rw", lines);
        Assert.Contains("/dev/pts devpts rw", lines);
        Assert.Equal("refused", lines[^1]);
    }

    [RootFact]
    public async Task Hosts_resolv_conf_and_hostname_are_provided()
    {
        var request = Request(["sh", "-c", "hostname; cat /etc/hosts; echo ---; cat /etc/resolv.conf; echo x > /etc/hosts || echo read-only"]) with { Hostname = "builder" };
        var (exitCode, lines) = await RunAsync(request);
        Assert.Equal(0, exitCode);
        Assert.Equal("builder", lines[0]);
        Assert.Contains("127.0.0.1\tlocalhost", lines);
        Assert.Contains("127.0.1.1\tbuilder", lines);
        var resolv = lines.SkipWhile(l => l != "---").Skip(1).SkipLast(2);
        Assert.Equal(HostResolvConfLines(), resolv);
        Assert.Equal("read-only", lines[^1]);
    }

    [RootFact]
    public async Task Rootfs_is_left_as_found()
    {
        var rootTimes = NativeFiles.Lstat(_rootfs.Path);
        var etcTimes = NativeFiles.Lstat(_rootfs.Combine("etc"));
        var before = Listing();

        var (exitCode, _) = await RunAsync(["sh", "-c", "ls / /proc /dev /sys /etc >/dev/null"]);

        Assert.Equal(0, exitCode);
        Assert.Equal(before, Listing());
        AssertNoSandboxArtefacts();
        Assert.Equal(rootTimes.ModificationTime, NativeFiles.Lstat(_rootfs.Path).ModificationTime);
        Assert.Equal(etcTimes.ModificationTime, NativeFiles.Lstat(_rootfs.Combine("etc")).ModificationTime);
    }

    [RootFact]
    public async Task Existing_mount_points_and_files_are_kept_unchanged()
    {
        foreach (var dir in new[] { "proc", "dev", "sys" })
        {
            Directory.CreateDirectory(_rootfs.Combine(dir));
        }

        File.WriteAllText(_rootfs.Combine("etc/hosts"), "203.0.113.1 image-hosts\n");
        File.WriteAllText(_rootfs.Combine("etc/resolv.conf"), "nameserver 10.0.0.2\n");
        var etcTimes = NativeFiles.Lstat(_rootfs.Combine("etc"));

        var (exitCode, lines) = await RunAsync(["cat", "/etc/hosts"]);

        Assert.Equal(0, exitCode);
        Assert.Contains("127.0.0.1\tlocalhost", lines);
        Assert.Equal("203.0.113.1 image-hosts\n", File.ReadAllText(_rootfs.Combine("etc/hosts")));
        Assert.Equal("nameserver 10.0.0.2\n", File.ReadAllText(_rootfs.Combine("etc/resolv.conf")));
        Assert.True(Directory.Exists(_rootfs.Combine("proc")) && Directory.Exists(_rootfs.Combine("dev")) && Directory.Exists(_rootfs.Combine("sys")));
        Assert.Equal(etcTimes.ModificationTime, NativeFiles.Lstat(_rootfs.Combine("etc")).ModificationTime);
    }

    [RootFact]
    public async Task The_command_own_changes_stay()
    {
        var etcBefore = NativeFiles.Lstat(_rootfs.Combine("etc"));
        await Task.Delay(20); // a coarse file system clock must tick between setup and the command
        var (exitCode, _) = await RunAsync(["sh", "-c", "sleep 0.05; echo made > /etc/made-by-run; mkdir /made-dir"]);

        Assert.Equal(0, exitCode);
        Assert.Equal("made\n", File.ReadAllText(_rootfs.Combine("etc/made-by-run")));
        Assert.True(Directory.Exists(_rootfs.Combine("made-dir")));
        Assert.NotEqual(etcBefore.ModificationTime, NativeFiles.Lstat(_rootfs.Combine("etc")).ModificationTime);
        AssertNoSandboxArtefacts();
    }

    [RootFact]
    public async Task Missing_etc_is_created_for_the_run_and_removed_after()
    {
        Directory.Delete(_rootfs.Combine("etc"), recursive: true);
        var rootTimes = NativeFiles.Lstat(_rootfs.Path);

        var (exitCode, lines) = await RunAsync(["cat", "/etc/hosts"], user: new RunUser(1000, 1000, []));

        Assert.Equal(0, exitCode);
        Assert.Contains("127.0.0.1\tlocalhost", lines);
        Assert.False(Path.Exists(_rootfs.Combine("etc")));
        Assert.Equal(rootTimes.ModificationTime, NativeFiles.Lstat(_rootfs.Path).ModificationTime);
    }

    [RootFact]
    public async Task Symlinked_resolv_conf_never_leads_to_a_host_path()
    {
        var hostPath = "/tmp/drydock-escape-" + Guid.NewGuid().ToString("N");
        File.CreateSymbolicLink(_rootfs.Combine("etc/resolv.conf"), "/../../../.." + hostPath);

        var (exitCode, lines) = await RunAsync(["cat", "/etc/resolv.conf"]);

        Assert.Equal(0, exitCode);
        Assert.Equal(HostResolvConfLines(), lines);
        Assert.False(Path.Exists(hostPath));
        // The in-image target and the /tmp made for it are gone again; the link itself is kept.
        Assert.False(Path.Exists(_rootfs.Combine("tmp")));
        Assert.Equal("/../../../.." + hostPath, new FileInfo(_rootfs.Combine("etc/resolv.conf")).LinkTarget);
    }

    [Fact]
    public async Task Mount_point_resolving_to_the_root_is_refused()
    {
        File.CreateSymbolicLink(_rootfs.Combine("proc"), "/");
        await Assert.ThrowsAsync<SandboxException>(() => RunAsync(["true"]));
        Assert.Equal("/", new FileInfo(_rootfs.Combine("proc")).LinkTarget);
    }

    [RootFact]
    public async Task Failed_setup_leaves_the_rootfs_as_found()
    {
        Directory.CreateDirectory(_rootfs.Combine("var"));
        File.WriteAllText(_rootfs.Combine("var/file"), "");
        File.CreateSymbolicLink(_rootfs.Combine("etc/resolv.conf"), "/var/file/resolv.conf"); // a file as a parent
        var rootTimes = NativeFiles.Lstat(_rootfs.Path);
        var etcTimes = NativeFiles.Lstat(_rootfs.Combine("etc"));

        var error = await Assert.ThrowsAsync<SandboxException>(() => RunAsync(["true"]));

        Assert.StartsWith("cannot create the mount point for /etc/resolv.conf at /var/file/resolv.conf in the image: ", error.Message, StringComparison.Ordinal);
        AssertNoSandboxArtefacts(madeByTest: "etc/resolv.conf");
        Assert.Equal(rootTimes.ModificationTime, NativeFiles.Lstat(_rootfs.Path).ModificationTime);
        Assert.Equal(etcTimes.ModificationTime, NativeFiles.Lstat(_rootfs.Combine("etc")).ModificationTime);
    }

    [RootFact]
    public async Task Cancellation_kills_the_command_quickly()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var lines = new List<string>();
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _sandbox.RunAsync(Request(["sh", "-c", "echo started; sleep 100"]), lines.Add, cts.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal(["started"], lines);
        AssertNoSandboxArtefacts();
    }

    [RootFact]
    public async Task Background_processes_do_not_outlive_the_command()
    {
        const string Survivor = "sleep\086421\0"; // a command line no other test runs
        var (exitCode, _) = await RunAsync(["sh", "-c", "sleep 86421 & exit 0"]);
        Assert.Equal(0, exitCode);
        // The namespace's init exits last: by then the kernel has killed and reaped everything else in it.
        var survivors = Directory.EnumerateDirectories("/proc")
            .Where(dir => int.TryParse(Path.GetFileName(dir), out _))
            .Where(dir => TryReadCommandLine(dir) == Survivor);
        Assert.Empty(survivors);
    }

    [RootFact]
    public async Task Callback_failure_stops_the_command_and_surfaces()
    {
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<InvalidOperationException>(() => _sandbox.RunAsync(
            Request(["sh", "-c", "echo boom; sleep 100"]), _ => throw new InvalidOperationException("callback"), CancellationToken.None));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        AssertNoSandboxArtefacts();
    }

    [RootFact]
    public async Task Missing_launcher_is_a_clear_error()
    {
        var sandbox = new ChrootSandbox(Path.Combine(_rootfs.Path, "no-launcher"));
        var error = await Assert.ThrowsAsync<SandboxException>(() => sandbox.RunAsync(Request(["true"]), _ => { }, CancellationToken.None));
        Assert.Contains("drydock-run", error.Message, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Launcher_that_cannot_start_is_a_clear_error()
    {
        var notExecutable = Path.Combine(_rootfs.Path, "launcher");
        File.WriteAllText(notExecutable, "");
        var sandbox = new ChrootSandbox(notExecutable);
        var error = await Assert.ThrowsAsync<SandboxException>(() => sandbox.RunAsync(Request(["true"]), _ => { }, CancellationToken.None));
        Assert.Contains(notExecutable, error.Message, StringComparison.Ordinal);
        AssertNoSandboxArtefacts();
    }

    [Fact]
    public void Launcher_ships_next_to_the_assembly()
    {
        var launcher = Path.Combine(AppContext.BaseDirectory, ChrootSandbox.LauncherFileName);
        Assert.True(File.Exists(launcher));
        Assert.True(File.GetUnixFileMode(launcher).HasFlag(UnixFileMode.UserExecute));
    }

    [RootFact]
    public async Task A_command_gets_Docker_default_confinement()
    {
        var (exitCode, lines) = await RunAsync(["sh", "-c", "grep -E '^(CapEff|Seccomp):' /proc/self/status; touch /proc/sys/kernel/core_pattern"]);
        Assert.Equal(1, exitCode);
        Assert.Equal(["CapEff:\t00000000a80425fb", "Seccomp:\t2", "touch: /proc/sys/kernel/core_pattern: Read-only file system"], lines);
    }

    [RootFact]
    public async Task An_insecure_command_keeps_the_builder_capabilities_and_has_no_seccomp_filter()
    {
        var (exitCode, lines) = await RunAsync(Request(["sh", "-c", "grep -E '^(CapEff|Seccomp):' /proc/self/status; touch /proc/sys/kernel/core_pattern"]) with
        {
            Security = SandboxSecurity.Insecure,
        });
        Assert.Equal(0, exitCode);
        var builderCapabilities = File.ReadLines("/proc/self/status").Single(line => line.StartsWith("CapEff:", StringComparison.Ordinal));
        Assert.Equal([builderCapabilities, "Seccomp:\t0"], lines);
    }

    private SandboxRequest Request(string[] argv, string[]? environment = null, string cwd = "/", RunUser? user = null)
        => new(_rootfs.Path, argv, environment ?? DefaultEnvironment, cwd, user ?? RunUser.Root);

    private Task<(int ExitCode, List<string> Lines)> RunAsync(string[] argv, string[]? environment = null, string cwd = "/", RunUser? user = null)
        => RunAsync(Request(argv, environment, cwd, user));

    private async Task<(int ExitCode, List<string> Lines)> RunAsync(SandboxRequest request)
    {
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exitCode = await _sandbox.RunAsync(request, lines.Add, timeout.Token);
        return (exitCode, lines);
    }

    private static string? TryReadCommandLine(string processDirectory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(processDirectory, "cmdline"));
        }
        catch (IOException)
        {
            return null; // the process ended meanwhile
        }
    }

    private static string[] HostResolvConfLines()
        => File.Exists("/etc/resolv.conf") ? File.ReadAllLines("/etc/resolv.conf") : [];

    /// <param name="madeByTest">Paths among the mount points that the test itself put in the image.</param>
    private void AssertNoSandboxArtefacts(params string[] madeByTest)
    {
        foreach (var path in new[] { "proc", "dev", "sys", "tmp", "etc/hosts", "etc/resolv.conf" }.Except(madeByTest))
        {
            var full = _rootfs.Combine(path);
            Assert.False(Path.Exists(full) || new FileInfo(full).LinkTarget is not null, $"{path} left behind");
        }
    }

    private IReadOnlyList<string> Listing() => RootfsListing.Tree(_rootfs.Path);
}
