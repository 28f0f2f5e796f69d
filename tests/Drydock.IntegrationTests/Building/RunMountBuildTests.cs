using System.Text.Json.Nodes;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// RUN --mount, --network and heredocs end to end: one FROM-scratch build through the real CLI
/// (busybox copied from the host), saved to an OCI layout and unpacked with umoci; no registry.
/// </summary>
public sealed class RunMountBuildTests(RunMountBuildTests.Fixture fixture) : IClassFixture<RunMountBuildTests.Fixture>
{
    private const string FileSecret = "file-secret-5c1f0e7d";
    private const string EnvSecret = "env-secret-9a2b4c6d";
    private const string SecretVariable = "DRYDOCK_RUN_TEST_SECRET";

    /// <summary>RUNs with heredocs, run in /out (also built in place: Deploy/InPlaceDifferentialTests).</summary>
    internal const string Heredocs = """
        RUN <<EOF
        echo "lone heredoc in $0" > /out/lone
        EOF
        RUN <<SCRIPT
        #!/bin/sh
        echo script "$0" > /out/script
        SCRIPT
        RUN cat <<'A' > several && cat <<-B >> several
        first $HOME
        A
        	second
        	B

        """;

    [RootFact]
    public async Task A_context_bind_mount_is_read_and_never_lands_in_a_layer()
    {
        var build = await fixture.BuildAsync();

        Assert.Equal("from the context\n", Read(build, "/out/from-context"));
        Assert.DoesNotContain(build.LayerEntries, entry => entry.Split('/').Contains("ctx") || entry.EndsWith("a.txt", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task The_dockerignore_rules_hold_inside_a_context_mount()
    {
        var build = await fixture.BuildAsync();

        Assert.Equal("a.txt\n", Read(build, "/out/ignored-listing"));
    }

    [RootFact]
    public async Task Writes_to_a_rw_bind_mount_are_seen_by_the_command_and_then_discarded()
    {
        var build = await fixture.BuildAsync();

        Assert.Equal("a.txt\nmade-by-run\n", Read(build, "/out/rw-listing"));
        Assert.False(File.Exists(Path.Combine(build.ContextPath, "src/made-by-run")), "the context must never change");
    }

    [RootFact]
    public async Task A_bind_mount_from_a_stage_and_a_cache_seeded_from_it_read_its_files()
    {
        var build = await fixture.BuildAsync();

        Assert.Equal("from the context\n", Read(build, "/out/from-stage"));
        Assert.Equal("from the context\n", Read(build, "/out/seeded"));
        Assert.Equal("1000 700\n", Read(build, "/out/cache-owner"));
    }

    [RootFact]
    public async Task A_secret_is_readable_in_RUN_and_nowhere_in_the_image_or_the_logs()
    {
        var build = await fixture.BuildAsync();

        Assert.Equal($"{FileSecret.Length}\n400 0:0\n", Read(build, "/out/secret-file"));
        // Compared through a digest: the Dockerfile must not hold the secret either.
        var envSecretMd5 = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(EnvSecret)));
        Assert.Equal(envSecretMd5 + "\n", Read(build, "/out/secret-env"));
        Assert.False(ImageInspector.Exists(build.Image.HostPath("/run/secrets")), "the secret's mount point must not stay");
        foreach (var secret in new[] { FileSecret, EnvSecret })
        {
            var grep = await ToolRunner.RunAsync("grep", ["-r", "-l", secret, build.Image.Rootfs]);
            Assert.True(grep.ExitCode == 1, $"the secret is in the image's files:\n{grep}");
            Assert.DoesNotContain(secret, build.ConfigJson, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, build.Result.StandardOutput + build.Result.StandardError, StringComparison.Ordinal);
        }
    }

    [RootFact]
    public async Task Network_none_has_only_the_loopback_interface()
    {
        var build = await fixture.BuildAsync();

        Assert.Equal("lo\n", Read(build, "/out/interfaces"));
    }

    [RootFact]
    public async Task A_tmpfs_mount_holds_what_the_command_writes_only_while_it_runs()
    {
        var build = await fixture.BuildAsync();

        Assert.Equal("1024\n", Read(build, "/out/tmpfs-size"));
        Assert.DoesNotContain(build.LayerEntries, entry => entry.StartsWith("scratch", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task Heredocs_run_as_BuildKit_runs_them()
    {
        var build = await fixture.BuildAsync();

        Assert.Equal("lone heredoc in /bin/sh\n", Read(build, "/out/lone"));
        Assert.Equal("script /dev/pipes/SCRIPT\n", Read(build, "/out/script"));
        Assert.Equal("first $HOME\nsecond\n", Read(build, "/out/several"));
        var createdBy = build.History.Select(h => (string?)h!["created_by"]).ToArray();
        Assert.Contains("RUN /bin/sh -c /dev/pipes/SCRIPT", createdBy);
        Assert.Contains("RUN /bin/sh -c echo \"lone heredoc in $0\" > /out/lone\n", createdBy);
    }

    private static string Read(Fixture.Built build, string imagePath) => File.ReadAllText(build.Image.HostPath(imagePath));

    /// <summary>The one build all tests of the class read.</summary>
    public sealed class Fixture : IDisposable
    {
        private readonly SharedBuild<Built> _build = new();
        private readonly TempDirectory _work = new("drydock-e2e-run-");
        private ContextDirectory? _context;

        public sealed record Built(ToolResult Result, UnpackedImage Image, IReadOnlyList<string> LayerEntries, string ConfigJson, JsonArray History, string ContextPath);

        public Task<Built> BuildAsync() => _build.GetAsync(async () =>
        {
            _context = RunBuildContexts.WithBusybox("""
                    FROM scratch AS tools
                    COPY src/a.txt /made/tool.txt

                    """ + RunBuildContexts.BusyboxStage + """
                    WORKDIR /out
                    RUN --mount=source=src,target=/ctx cat /ctx/a.txt > from-context
                    RUN --mount=type=bind,src=src,dst=ctx ls ctx > ignored-listing
                    RUN --mount=source=src,target=/ctx,rw sh -c 'touch /ctx/made-by-run && ls /ctx > rw-listing'
                    RUN --mount=from=tools,source=/made,target=/tools cat /tools/tool.txt > from-stage
                    RUN --mount=type=cache,id=seeded,from=tools,source=/made,target=/seeded cat /seeded/tool.txt > seeded
                    RUN --mount=type=cache,target=/owned,uid=1000,mode=0700 stat -c '%u %a' /owned > cache-owner
                    RUN --mount=type=secret,id=token sh -c 'wc -c < /run/secrets/token | tr -d " " > secret-file; stat -c "%a %u:%g" /run/secrets/token >> secret-file'
                    RUN --mount=type=secret,id=envtoken,env=TOKEN sh -c 'printf %s "$TOKEN" | md5sum | cut -c 1-32 > secret-env'
                    RUN --mount=type=tmpfs,target=/scratch,size=1m sh -c 'echo data > /scratch/x; df -k /scratch | tail -n 1 | while read fs size rest; do echo $size; done > tmpfs-size'
                    RUN --network=none sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " > interfaces'

                    """ + Heredocs);
            _context
                .File("src/a.txt", "from the context\n")
                .File("src/ignored.txt", "ignored by .dockerignore\n")
                .File(".dockerignore", "src/ignored.txt\n");
            var secretFile = _work.Combine("token");
            await File.WriteAllTextAsync(secretFile, FileSecret);

            var layout = _work.Combine("layout");
            var result = await DrydockRunner.BuildAsync(
                [
                    "--no-push", "--destination", "localhost/run-mounts:t", "--oci-layout-path", layout,
                    "--run-cache-dir", _work.Combine("run-cache"),
                    "--secret", $"id=token,src={secretFile}", "--secret", $"id=envtoken,env={SecretVariable}",
                    _context.Path,
                ],
                new Dictionary<string, string?> { [SecretVariable] = EnvSecret });
            DrydockRunner.Digest(result);

            var image = await ImageInspector.UnpackLayoutAsync(layout, "t", _work.Combine("bundle"));
            var entries = (await ImageInspector.LayerEntriesAsync(layout, "t")).SelectMany(layer => layer).ToArray();
            var manifest = await ImageInspector.LayoutManifestAsync(layout, "t");
            var config = await File.ReadAllTextAsync(ImageInspector.BlobPath(layout, manifest["config"]!["digest"]!.GetValue<string>()));
            return new Built(result, image, entries, config, JsonNode.Parse(config)!["history"]!.AsArray(), _context.Path);
        });

        public void Dispose()
        {
            _context?.Dispose();
            _work.Dispose();
        }
    }
}
