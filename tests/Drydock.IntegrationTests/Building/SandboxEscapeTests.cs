using System.Globalization;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// A Dockerfile is untrusted code: escape attempts, each as a RUN step of one real build, must be
/// refused while the host stays as it was, and a RUN sees exactly Docker's default confinement.
/// Every attempt records its outcome in /out/NAME ("refused: …" or "ESCAPED: …", see the
/// <c>attempt</c> script) so a single build serves every test; the host's sentinels are read
/// before and after it.
/// </summary>
public sealed class SandboxEscapeTests(SandboxEscapeTests.Fixture fixture) : IClassFixture<SandboxEscapeTests.Fixture>
{
    // Docker's 14 default capabilities (CHOWN … SETFCAP) as /proc/self/status prints them.
    private const string DockerDefaultCapabilities = "00000000a80425fb";

    [RootTheory]
    [InlineData("core-pattern", "Read-only file system")]
    [InlineData("kernel-module", "Operation not permitted")]
    [InlineData("mount", "permission denied")]
    [InlineData("umount", "Operation not permitted")]
    [InlineData("unshare-user", "Operation not permitted")]
    [InlineData("unshare-mount", "Operation not permitted")]
    [InlineData("block-device", "Permission denied")]
    [InlineData("double-chroot", "No such file or directory")]
    [InlineData("ptrace-outside", "No such process")]
    [InlineData("clock", "Operation not permitted")]
    [InlineData("date", "Operation not permitted")]
    [InlineData("link-add", "Operation not permitted")]
    [InlineData("route-add", "Operation not permitted")]
    public async Task An_escape_attempt_is_refused(string attempt, string reason)
    {
        var build = await fixture.BuildAsync();

        AssertRefused(build.Read("/out/" + attempt), reason);
    }

    [RootFact]
    public async Task The_sysrq_trigger_is_read_only()
    {
        var build = await fixture.BuildAsync();

        // Kernels built without magic SysRq have no such file, here or on the host.
        var reason = File.Exists("/proc/sysrq-trigger") ? "Read-only file system" : "nonexistent directory";
        AssertRefused(build.Read("/out/sysrq-trigger"), reason);
    }

    [RootTheory]
    [InlineData("kcore")]
    [InlineData("keys")]
    [InlineData("timer_list")]
    public async Task Kernel_files_in_proc_read_as_nothing(string file)
    {
        var build = await fixture.BuildAsync();

        Assert.StartsWith("refused: ", build.Read("/out/proc-" + file), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task The_host_is_untouched()
    {
        var build = await fixture.BuildAsync();

        Assert.Equal(build.CorePatternBefore, await File.ReadAllTextAsync("/proc/sys/kernel/core_pattern"));
        Assert.False(Directory.Exists("/sys/class/net/" + Fixture.LinkName), "a RUN added a network link to the host");
        Assert.InRange(DateTime.UtcNow - build.FinishedAt, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        Assert.True(build.OutsideProcessAlive, "the process outside the sandbox must be untouched");
    }

    [RootFact]
    public async Task Root_gets_Docker_default_capabilities_and_seccomp()
    {
        var build = await fixture.BuildAsync();

        var status = Status(build.Read("/out/status-root"));
        Assert.Equal(DockerDefaultCapabilities, status["CapEff"]);
        Assert.Equal(DockerDefaultCapabilities, status["CapPrm"]);
        Assert.Equal(DockerDefaultCapabilities, status["CapBnd"]);
        Assert.Equal("0000000000000000", status["CapInh"]);
        Assert.Equal("0000000000000000", status["CapAmb"]);
        Assert.Equal("2", status["Seccomp"]);
        Assert.Equal("0", status["NoNewPrivs"]);
    }

    [RootFact]
    public async Task A_non_root_user_gets_no_capabilities_and_a_setuid_program_gets_the_default_ones()
    {
        var build = await fixture.BuildAsync();

        var status = Status(build.Read("/out/status-user"));
        Assert.Equal("0000000000000000", status["CapEff"]);
        Assert.Equal("0000000000000000", status["CapPrm"]);
        Assert.Equal(DockerDefaultCapabilities, status["CapBnd"]);
        Assert.Equal("2", status["Seccomp"]);
        // no_new_privs stays unset, as in Docker: setuid works, bounded by the 14.
        Assert.Equal($"euid=0 CapEff={DockerDefaultCapabilities}\n", build.Read("/out/setuid"));
    }

    [RootFact]
    public async Task What_Docker_allows_still_works()
    {
        var build = await fixture.BuildAsync();

        Assert.Equal("1 packets received\n", build.Read("/out/ping"));
        Assert.Equal("1000:1000\n", build.Read("/out/chowned"));
        Assert.Equal("null ok\n", build.Read("/out/dev-null"));
    }

    private static void AssertRefused(string outcome, string reason)
    {
        Assert.StartsWith("refused: ", outcome, StringComparison.Ordinal);
        Assert.Contains(reason, outcome, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Status(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(':', 2))
            .ToDictionary(parts => parts[0], parts => parts[1].Trim(), StringComparer.Ordinal);

    /// <summary>
    /// The one build every test of the class reads. Each attempt would leave the host as it was
    /// even if it got through (the clock set to the time it reads, core_pattern to its own value, a link or route removed again),
    /// so a regression fails these tests without harming the machine that runs them.
    /// </summary>
    public sealed class Fixture : IDisposable
    {
        public const string LinkName = "drydock-esc0";

        private const string AttemptScript = """
            #!/bin/sh
            # attempt NAME COMMAND: runs COMMAND in sh and records in /out/NAME whether it got through.
            if out=$(sh -c "$2" 2>&1); then
              echo "ESCAPED: $out"
            else
              echo "refused: $out"
            fi > "/out/$1"

            """;

        private readonly SharedBuild<Built> _build = new();
        private readonly TempDirectory _work = new("drydock-e2e-escape-");
        private ContextDirectory? _context;

        public sealed record Built(UnpackedImage Image, string CorePatternBefore, DateTime FinishedAt, bool OutsideProcessAlive)
        {
            public string Read(string imagePath) => File.ReadAllText(Image.HostPath(imagePath));
        }

        public Task<Built> BuildAsync() => _build.GetAsync(async () =>
        {
            _context = RunBuildContexts.WithBusybox(RunBuildContexts.BusyboxStage + $"""
                COPY escape attempt /bin/
                COPY passwd /etc/passwd
                ARG DISK SENTINEL OUTSIDE_PID
                WORKDIR /out
                RUN mkdir -m 1777 /tmp && mkdir /mnt
                RUN grep -E '^(Cap|Seccomp|NoNewPrivs)' /proc/self/status > status-root
                RUN attempt core-pattern 'cat /proc/sys/kernel/core_pattern > /tmp/cp && cat /tmp/cp > /proc/sys/kernel/core_pattern'
                RUN attempt sysrq-trigger 'echo h > /proc/sysrq-trigger'
                RUN attempt kernel-module 'printf "not a module" > /tmp/evil.ko && insmod /tmp/evil.ko'
                RUN attempt mount 'mount -t tmpfs none /mnt'
                RUN attempt umount 'umount /proc'
                RUN attempt unshare-user 'unshare -U true'
                RUN attempt unshare-mount 'unshare -m true'
                RUN attempt block-device 'mknod /tmp/disk b $DISK && head -c 512 /tmp/disk > /dev/null'
                RUN attempt double-chroot 'escape chroot $SENTINEL'
                RUN attempt ptrace-outside 'escape ptrace $OUTSIDE_PID'
                RUN attempt clock 'escape clock'
                RUN attempt date '! date -s @$(date +%s) 2>&1 | grep "can.t set"'
                RUN attempt link-add 'ip link add {LinkName} type dummy && ip link del {LinkName}'
                RUN attempt route-add 'ip route add 127.99.0.0/16 dev lo && ip route del 127.99.0.0/16 dev lo'
                RUN for f in kcore keys timer_list; do attempt proc-$f "[ \$(head -c 64 /proc/$f | wc -c) -gt 0 ]"; done
                RUN ping -c 1 127.0.0.1 | grep -o '1 packets received' > ping
                RUN touch owned && chown 1000:1000 owned && stat -c %u:%g owned > chowned
                RUN echo x > /dev/null && echo null ok > dev-null
                RUN cp /bin/escape /bin/escape-suid && chmod 4755 /bin/escape-suid && chown app /out
                USER app
                RUN grep -E '^(Cap|Seccomp)' /proc/self/status > status-user
                RUN escape-suid whoami > setuid

                """);
            _context
                .File("attempt", AttemptScript, ContextDirectory.Mode755)
                .File("passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n");
            await CompileEscapeAsync(_context.Path);

            // A file only the host can see, a process only the host runs, the host's own disk.
            var sentinel = _work.Combine("host-sentinel");
            await File.WriteAllTextAsync(sentinel, "host\n");
            using var outside = System.Diagnostics.Process.Start("sleep", "300");
            var corePattern = await File.ReadAllTextAsync("/proc/sys/kernel/core_pattern");
            try
            {
                var layout = _work.Combine("layout");
                var result = await DrydockRunner.BuildAsync(
                [
                    "--no-push", "--destination", "localhost/escape:t", "--oci-layout-path", layout,
                    "--build-arg", "DISK=" + HostDiskNumbers(),
                    "--build-arg", "SENTINEL=" + sentinel,
                    "--build-arg", "OUTSIDE_PID=" + outside.Id.ToString(CultureInfo.InvariantCulture),
                    _context.Path,
                ]);
                DrydockRunner.Digest(result);
                var finished = DateTime.UtcNow;
                var image = await ImageInspector.UnpackLayoutAsync(layout, "t", _work.Combine("bundle"));
                return new Built(image, corePattern, finished, !outside.HasExited);
            }
            finally
            {
                outside.Kill();
            }
        });

        public void Dispose()
        {
            _context?.Dispose();
            _work.Dispose();
        }

        private static async Task CompileEscapeAsync(string context)
        {
            var source = Path.Combine(AppContext.BaseDirectory, "Escapes", "escape.c");
            await ToolRunner.RunCheckedAsync("cc", ["-static", "-O2", "-o", Path.Combine(context, "escape"), source]);
        }

        /// <summary>"MAJOR MINOR" of the host's first block device (its disk), from /proc/partitions.</summary>
        private static string HostDiskNumbers()
        {
            var first = File.ReadLines("/proc/partitions").Skip(2)
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .FirstOrDefault(parts => parts.Length == 4);
            return first is null ? "8 0" : $"{first[0]} {first[1]}";
        }
    }
}
