namespace Drydock.IntegrationTests.Building;

/// <summary>
/// Every kind of build context through the real CLI, each checked against a directory context
/// holding the tree it should give: the same image digest with --reproducible. Archives are
/// made by GNU tar and the compressors' own CLIs; git is served on loopback by git http-backend
/// (smart HTTP, with and without basic auth) and git daemon; tarballs by an HTTP stub.
/// </summary>
public sealed class ContextSourceBuildTests : IAsyncLifetime
{
    private readonly ContextSourceBuild _build = new("drydock-ctxsrc-");
    private GitTestRepository? _repository;

    private string Served => _build.Combine("served");

    // A Dockerfile outside the contexts, for repositories that hold none.
    private string OutsideDockerfile => _build.Combine("Dockerfile.outside");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Served);
        _repository = await GitTestRepository.CreateAsync(Served, "repo");
        await File.WriteAllTextAsync(OutsideDockerfile, ContextSourceBuild.CopyAll);
    }

    public Task DisposeAsync()
    {
        _build.Dispose();
        return Task.CompletedTask;
    }

    [RootFact]
    public async Task Tar_contexts_in_every_compression_and_on_standard_input_build_what_the_directory_builds()
    {
        var tree = _build.SampleTree("tree");
        var expected = await ContextSourceBuild.DigestAsync(["--context", tree]);

        foreach (var (name, flag) in new[] { ("plain.tar", ""), ("gzip.tar.gz", "--gzip"), ("bzip2.tbz", "--bzip2"), ("xz.archive", "--xz"), ("zstd.tar.zst", "--zstd") })
        {
            var archive = await _build.TarAsync(tree, name, flag);
            Assert.Equal(expected, await ContextSourceBuild.DigestAsync(["--context", "tar://" + archive]));
        }

        var gzip = _build.Combine("gzip.tar.gz");
        Assert.Equal(expected, await ContextSourceBuild.DigestAsync(["-"], standardInput: gzip));
        Assert.Equal(expected, await ContextSourceBuild.DigestAsync(["--context", "tar://stdin"], standardInput: _build.Combine("xz.archive")));

        // The sub-path, and the Dockerfile and .dockerignore found inside it, whatever the kind.
        var subExpected = await ContextSourceBuild.DigestAsync(["--context", tree, "--context-sub-path", "sub"]);
        Assert.NotEqual(expected, subExpected);
        Assert.Equal(subExpected, await ContextSourceBuild.DigestAsync(["--context", "tar://" + gzip, "--context-sub-path", "sub"]));
        Assert.Equal(subExpected, await ContextSourceBuild.DigestAsync(["--context", Path.Combine(tree, "sub")]));
    }

    [RootFact]
    public async Task An_http_tarball_context_builds_what_the_directory_builds()
    {
        var tree = _build.SampleTree("tree");
        var archive = await _build.TarAsync(tree, "ctx.tar.gz", "--gzip");
        var bytes = await File.ReadAllBytesAsync(archive);
        using var server = new HttpStubServer(async context =>
        {
            if (context.Request.Url!.AbsolutePath != "/ctx.tar.gz")
            {
                await HttpStubServer.ReplyAsync(context, 404, "not found");
                return;
            }

            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
        });

        Assert.Equal(await ContextSourceBuild.DigestAsync(["--context", tree]), await ContextSourceBuild.DigestAsync(["--context", $"http://{server.Host}/ctx.tar.gz"]));

        var error = DrydockRunner.AssertOneError(await ContextSourceBuild.BuildAsync(["--context", $"http://{server.Host}/missing.tar.gz"]));
        Assert.Equal($"ERROR cannot download build context http://{server.Host}/missing.tar.gz: the server answered 404 NotFound; check the URL", error);
    }

    [RootFact]
    public async Task A_bucket_context_is_downloaded_and_unpacked_as_a_tar_context()
    {
        var tree = _build.SampleTree("tree");
        var archive = await _build.TarAsync(tree, "bucket.tar.gz", "--gzip");
        using var gcs = new GcsJsonApiServer();
        gcs.Put("bucket", "ci/ctx.tar.gz", await File.ReadAllBytesAsync(archive));
        var emulator = new Dictionary<string, string?> { ["STORAGE_EMULATOR_HOST"] = gcs.EmulatorHost };

        var subExpected = await ContextSourceBuild.DigestAsync(["--context", tree, "--context-sub-path", "sub"]);
        Assert.Equal(await ContextSourceBuild.DigestAsync(["--context", tree]), await ContextSourceBuild.DigestAsync(["--context", "gs://bucket/ci/ctx.tar.gz"], emulator));
        Assert.Equal(subExpected, await ContextSourceBuild.DigestAsync(["--context", "gs://bucket/ci/ctx.tar.gz", "--context-sub-path", "sub"], emulator));
    }

    [RootFact]
    public async Task Git_contexts_over_smart_http_check_out_branches_tags_commits_full_refs_and_sub_paths()
    {
        using var server = await GitHttpServer.StartAsync(Served);
        var http = new Dictionary<string, string?> { ["GIT_PULL_METHOD"] = "http" };
        var context = $"git://{server.Host}/repo.git";
        var first = await _repository!.RevParseAsync("v1");

        Assert.Equal(await ExpectedAsync(main: true), await GitDigestAsync([context], http));
        Assert.Equal(await ExpectedAsync(main: true, feature: true), await GitDigestAsync([context + "#refs/heads/feature"], http));
        Assert.Equal(await ExpectedAsync(main: true, feature: true), await GitDigestAsync([context, "--git", "branch=feature,single-branch=true"], http));
        Assert.Equal(await ExpectedAsync(main: false), await GitDigestAsync([context + "#refs/tags/v1"], http));
        Assert.Equal(await ExpectedAsync(main: false), await GitDigestAsync([context + "#" + first], http));
        Assert.Equal(await ExpectedAsync(main: false), await GitDigestAsync([context + "#refs/heads/feature#" + first], http));

        var deep = _build.SampleDirectory("deep-expected", ("deep/f", "deep\n", false));
        Assert.Equal(await ContextSourceBuild.DigestAsync(["--context", deep, "--dockerfile", OutsideDockerfile]), await GitDigestAsync([context + "#v1", "--context-sub-path", "sub"], http));

        var missingRef = DrydockRunner.AssertOneError(await ContextSourceBuild.BuildAsync(["--context", context + "#nope", "--dockerfile", OutsideDockerfile], http));
        Assert.StartsWith($"ERROR git build context {context}#nope: http://{server.Host}/repo.git has no branch or tag nope", missingRef);

        var missingSub = DrydockRunner.AssertOneError(await ContextSourceBuild.BuildAsync(["--context", context, "--context-sub-path", "nope", "--dockerfile", OutsideDockerfile], http));
        Assert.Equal($"ERROR build context {context} has no directory nope (the context sub-path)", missingSub);
    }

    [RootFact]
    public async Task Git_credentials_come_from_GIT_USERNAME_and_GIT_PASSWORD_or_GIT_TOKEN_and_never_show()
    {
        const string Password = "pa55-w0rd-xyz";
        using var server = await GitHttpServer.StartAsync(Served, ("builder", Password));
        var context = $"git://{server.Host}/repo.git";
        var expected = await ExpectedAsync(main: true);

        Assert.Equal(expected, await GitDigestAsync([context], new Dictionary<string, string?>
        {
            ["GIT_PULL_METHOD"] = "http", ["GIT_USERNAME"] = "builder", ["GIT_PASSWORD"] = Password,
        }));

        var wrong = await ContextSourceBuild.BuildAsync(["--context", context, "--dockerfile", OutsideDockerfile], new Dictionary<string, string?>
        {
            ["GIT_PULL_METHOD"] = "http", ["GIT_USERNAME"] = "builder", ["GIT_PASSWORD"] = "wrong-secret-123",
        });
        var error = DrydockRunner.AssertOneError(wrong);
        Assert.StartsWith($"ERROR git build context {context}: cannot reach the git repository http://{server.Host}/repo.git: ", error);
        Assert.DoesNotContain("wrong-secret-123", wrong.StandardError, StringComparison.Ordinal);

        using var tokenServer = await GitHttpServer.StartAsync(Served, ("t0ken-abc", ""));
        Assert.Equal(expected, await GitDigestAsync([$"git://{tokenServer.Host}/repo.git"], new Dictionary<string, string?>
        {
            ["GIT_PULL_METHOD"] = "http", ["GIT_TOKEN"] = "t0ken-abc",
        }));
    }

    [RootFact]
    public async Task Git_contexts_over_https_need_a_trusted_certificate_or_insecure_skip_tls()
    {
        using var server = await GitHttpServer.StartTlsAsync(Served, _build.Combine("git-tls"));
        var context = $"git://{server.Host}/repo.git";
        var expected = await ExpectedAsync(main: true);

        // https is the default GIT_PULL_METHOD.
        var untrusted = DrydockRunner.AssertOneError(await ContextSourceBuild.BuildAsync(["--context", context, "--dockerfile", OutsideDockerfile]));
        Assert.StartsWith($"ERROR git build context {context}: cannot reach the git repository https://{server.Host}/repo.git: ", untrusted);
        Assert.EndsWith("; a server whose certificate a private CA signed needs that CA in GIT_SSL_CAINFO, or the git option insecure-skip-tls=true", untrusted, StringComparison.Ordinal);

        Assert.Equal(expected, await GitDigestAsync([context, "--git", "insecure-skip-tls=true"], new Dictionary<string, string?>()));
        Assert.Equal(expected, await GitDigestAsync([context], new Dictionary<string, string?> { ["GIT_SSL_CAINFO"] = server.CaCertificatePath }));
    }

    [RootFact]
    public async Task Submodules_are_checked_out_only_with_recurse_submodules()
    {
        using var server = await GitHttpServer.StartAsync(Served);
        var work = _build.Combine("super-work");
        Directory.CreateDirectory(work);
        foreach (var command in new[]
        {
            new[] { "init", "-q", "-b", "main" },
            ["-c", "protocol.allow=always", "submodule", "add", "-q", $"http://{server.Host}/repo.git", "mod"],
            ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "with a submodule"],
        })
        {
            await ToolRunner.RunCheckedAsync("git", ["-C", work, .. command]);
        }

        await ToolRunner.RunCheckedAsync("git", ["clone", "-q", "--bare", work, Path.Combine(Served, "super.git")]);
        var modules = await File.ReadAllTextAsync(Path.Combine(work, ".gitmodules"));
        var http = new Dictionary<string, string?> { ["GIT_PULL_METHOD"] = "http" };
        var context = $"git://{server.Host}/super.git";

        var with = _build.SampleDirectory("super-with", (".gitmodules", modules, false), ("mod/a.txt", "two\n", false), ("mod/run.sh", "#!/bin/sh\n", true), ("mod/sub/deep/f", "deep\n", false));
        Assert.Equal(await ContextSourceBuild.DigestAsync(["--context", with, "--dockerfile", OutsideDockerfile]), await GitDigestAsync([context, "--git", "recurse-submodules=true"], http));

        var without = _build.SampleDirectory("super-without", (".gitmodules", modules, false));
        Directory.CreateDirectory(Path.Combine(without, "mod"));
        File.SetUnixFileMode(Path.Combine(without, "mod"), ContextDirectory.Mode755);
        Assert.Equal(await ContextSourceBuild.DigestAsync(["--context", without, "--dockerfile", OutsideDockerfile]), await GitDigestAsync([context], http));
    }

    [RootFact]
    public async Task Git_contexts_are_fetched_from_git_daemon_with_GIT_PULL_METHOD_git()
    {
        await using var daemon = await GitDaemon.StartAsync(Served);
        var git = new Dictionary<string, string?> { ["GIT_PULL_METHOD"] = "git" };

        Assert.Equal(await ExpectedAsync(main: false), await GitDigestAsync([$"git://127.0.0.1:{daemon.Port}/repo.git#v1"], git));
    }

    [RootFact]
    public async Task Unreachable_sources_and_unknown_prefixes_end_the_build_with_one_line_naming_them()
    {
        using var refusing = new RefusingPort();

        var unreachable = DrydockRunner.AssertOneError(await ContextSourceBuild.BuildAsync(
            ["--context", $"git://{refusing.Host}/repo.git", "--dockerfile", OutsideDockerfile], new Dictionary<string, string?> { ["GIT_PULL_METHOD"] = "http" }));
        Assert.StartsWith($"ERROR git build context git://{refusing.Host}/repo.git: cannot reach the git repository http://{refusing.Host}/repo.git: ", unreachable);

        var unknown = DrydockRunner.AssertOneError(await ContextSourceBuild.BuildAsync(["--context", "ftp://host/ctx.tar"]));
        Assert.StartsWith("ERROR unknown build context prefix ftp:// in ftp://host/ctx.tar", unknown);

        var bucket = DrydockRunner.AssertOneError(await ContextSourceBuild.BuildAsync(["--context", "gs://bucket/ctx.tar.gz"], new Dictionary<string, string?> { ["STORAGE_EMULATOR_HOST"] = refusing.Host }));
        Assert.StartsWith($"ERROR Cannot download the build context gs://bucket/ctx.tar.gz: cannot reach {refusing.Host}: ", bucket);

        var badGitOption = DrydockRunner.AssertOneError(await ContextSourceBuild.BuildAsync(["--context", $"git://{refusing.Host}/repo.git", "--git", "depth=1"]));
        Assert.Equal("ERROR unknown git option \"depth\": the keys are branch, single-branch, recurse-submodules and insecure-skip-tls", badGitOption);

        var http = DrydockRunner.AssertOneError(await ContextSourceBuild.BuildAsync(["--context", $"http://{refusing.Host}/ctx.tar.gz"]));
        Assert.StartsWith($"ERROR cannot download build context http://{refusing.Host}/ctx.tar.gz: ", http);
    }

    // The tree the test repository holds: on main a.txt is "two", at v1 "one"; feature adds feat.txt.
    private Task<string> ExpectedAsync(bool main, bool feature = false)
    {
        List<(string, string, bool)> files = [("a.txt", main ? "two\n" : "one\n", false), ("run.sh", "#!/bin/sh\n", true), ("sub/deep/f", "deep\n", false)];
        if (feature)
        {
            files.Add(("feat.txt", "feature\n", false));
        }

        return ContextSourceBuild.DigestAsync(["--context", _build.SampleDirectory($"expected-{main}-{feature}", [.. files]), "--dockerfile", OutsideDockerfile]);
    }

    private Task<string> GitDigestAsync(IEnumerable<string> contextAndFlags, IReadOnlyDictionary<string, string?> environment)
    {
        var arguments = contextAndFlags.ToList();
        arguments.InsertRange(0, ["--context"]);
        return ContextSourceBuild.DigestAsync([.. arguments, "--dockerfile", OutsideDockerfile], environment);
    }
}
