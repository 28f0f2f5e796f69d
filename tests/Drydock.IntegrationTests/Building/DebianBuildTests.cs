namespace Drydock.IntegrationTests.Building;

/// <summary>
/// What works in Docker keeps working under Docker's confinement: a Debian build installs packages
/// with apt (their maintainer scripts run, apt drops to its _apt user), adds a user, compiles C,
/// gives a binary a file capability and pings, then runs as the new user. The base is a minbase
/// bookworm made by debootstrap (scripts/debian-rootfs.sh, run by scripts/test.sh); apt fetches
/// from Debian's mirror, as such a build does in CI.
/// </summary>
public sealed class DebianBuildTests(DebianBuildTests.Fixture fixture) : IClassFixture<DebianBuildTests.Fixture>
{
    [RootFact]
    public async Task Apt_installs_packages_and_their_maintainer_scripts_run()
    {
        var image = await fixture.BuildAsync();

        var status = await File.ReadAllTextAsync(image.HostPath("/var/lib/dpkg/status"));
        foreach (var package in new[] { "libcap2-bin", "iputils-ping", "gcc" })
        {
            Assert.Contains($"Package: {package}\nStatus: install ok installed\n", status, StringComparison.Ordinal);
        }
    }

    [RootFact]
    public async Task A_user_added_with_useradd_owns_its_files_and_runs_later_steps()
    {
        var image = await fixture.BuildAsync();

        Assert.Contains("builder:x:1234:1234::/home/builder:/bin/sh\n", await File.ReadAllTextAsync(image.HostPath("/etc/passwd")), StringComparison.Ordinal);
        var owned = await ImageInspector.StatAsync(image.HostPath("/home/builder/owned"));
        Assert.Equal((1234, 1234), (owned.Uid, owned.Gid));
        Assert.StartsWith("uid=1234(builder) gid=1234(builder)", await File.ReadAllTextAsync(image.HostPath("/home/builder/id")), StringComparison.Ordinal);
        Assert.Equal("compiled\n", await File.ReadAllTextAsync(image.HostPath("/home/builder/compiled")));
    }

    [RootFact]
    public async Task C_code_compiles_setcap_works_and_ping_reaches_loopback()
    {
        var image = await fixture.BuildAsync();

        Assert.Equal("compiled\n", await File.ReadAllTextAsync(image.HostPath("/compiled")));
        Assert.Equal("/usr/local/bin/bind-low cap_net_bind_service=ep\n", await File.ReadAllTextAsync(image.HostPath("/getcap")));
        Assert.Equal("1 packets transmitted, 1 received\n", await File.ReadAllTextAsync(image.HostPath("/pinged")));
    }

    /// <summary>The one build every test of the class reads.</summary>
    public sealed class Fixture : IDisposable
    {
        private const string RootfsTarball = "/var/cache/drydock-tests/debian-bookworm-minbase.tar";

        private readonly SharedBuild<UnpackedImage> _build = new();
        private readonly TempDirectory _work = new("drydock-e2e-debian-");
        private ContextDirectory? _context;

        public Task<UnpackedImage> BuildAsync() => _build.GetAsync(async () =>
        {
            Assert.True(File.Exists(RootfsTarball), $"{RootfsTarball} is missing: run scripts/debian-rootfs.sh (scripts/test.sh does)");
            _context = new ContextDirectory().Dockerfile("""
                FROM scratch
                ADD debian.tar /
                ENV DEBIAN_FRONTEND=noninteractive
                RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends libcap2-bin iputils-ping gcc libc6-dev > /dev/null && rm -rf /var/lib/apt/lists/*
                RUN useradd --create-home --uid 1234 builder && touch /home/builder/owned && chown builder:builder /home/builder/owned
                RUN printf '#include <stdio.h>\nint main(void) { puts("compiled"); return 0; }\n' > /tmp/hello.c && gcc -o /usr/local/bin/hello /tmp/hello.c && rm /tmp/hello.c && hello > /compiled
                RUN cp /bin/true /usr/local/bin/bind-low && setcap cap_net_bind_service+ep /usr/local/bin/bind-low && getcap /usr/local/bin/bind-low > /getcap
                RUN ping -c 1 127.0.0.1 | grep -o '1 packets transmitted, 1 received' > /pinged
                USER builder
                RUN id > /home/builder/id && hello > /home/builder/compiled

                """);
            File.Copy(RootfsTarball, Path.Combine(_context.Path, "debian.tar"));

            var layout = _work.Combine("layout");
            var result = await DrydockRunner.BuildAsync(["--no-push", "--destination", "localhost/debian:t", "--oci-layout-path", layout, _context.Path]);
            DrydockRunner.Digest(result);
            return await ImageInspector.UnpackLayoutAsync(layout, "t", _work.Combine("bundle"));
        });

        public void Dispose()
        {
            _context?.Dispose();
            _work.Dispose();
        }
    }
}
