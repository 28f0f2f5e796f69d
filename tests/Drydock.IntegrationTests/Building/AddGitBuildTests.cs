namespace Drydock.IntegrationTests.Building;

/// <summary>
/// ADD of git repositories through the real CLI: a repository made with git, served by a loopback
/// <c>git daemon</c>, checked in the image umoci unpacks.
/// </summary>
public sealed class AddGitBuildTests : IAsyncLifetime
{
    private readonly CopyBuild _build = new();
    private readonly TempDirectory _served = new("drydock-git-");
    private GitDaemon? _daemon;
    private GitTestRepository? _repository;

    private GitDaemon Daemon => _daemon!;

    private string Repo => Daemon.Url("repo.git");

    public async Task InitializeAsync()
    {
        _repository = await GitTestRepository.CreateAsync(_served.Path, "repo");
        _daemon = await GitDaemon.StartAsync(_served.Path);
    }

    public async Task DisposeAsync()
    {
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
        }

        _build.Dispose();
        _served.Dispose();
    }

    [RootFact]
    public async Task Branches_tags_commits_and_subdirectories_are_checked_out_without_their_git_directory()
    {
        var first = await _repository!.RevParseAsync("v1");
        var tag = await _repository.RevParseAsync("v1a");

        await _build.BuildAndUnpackAsync($"""
            FROM scratch
            ADD {Repo} /default
            ADD {Repo}#feature /feature/
            ADD {Repo}#v1a:sub /tag-sub
            ADD --checksum={first[..12]} {Repo}#{first} /commit
            ADD --checksum={tag} {Repo}#v1a /annotated
            ADD --keep-git-dir=true --chown=5:6 {Repo}#v1 /kept
            """);

        // The default branch, without .git, modes as git records them, owned by root.
        Assert.Equal(["a.txt", "run.sh", "sub/", "sub/deep/", "sub/deep/f"], _build.Listing("/default"));
        Assert.Equal("two\n", _build.Read("/default/a.txt"));
        Assert.Equal("644", _build.Mode("/default/a.txt"));
        Assert.Equal("755", _build.Mode("/default/run.sh"));
        Assert.Equal("755", _build.Mode("/default/sub"));
        Assert.Equal("0:0", _build.Owner("/default/run.sh"));

        Assert.Equal("feature\n", _build.Read("/feature/feat.txt"));
        Assert.Equal(["deep/", "deep/f"], _build.Listing("/tag-sub"));
        Assert.Equal("one\n", _build.Read("/commit/a.txt"));
        Assert.Equal("one\n", _build.Read("/annotated/a.txt"));

        // --keep-git-dir: a repository git can read, at that commit, with --chown on all of it.
        Assert.Equal("5:6", _build.Owner("/kept/a.txt"));
        Assert.Equal("5:6", _build.Owner("/kept/.git/HEAD"));
        var head = await ToolRunner.RunCheckedAsync("git", ["-c", "safe.directory=*", "-C", _build.Image("/kept"), "rev-parse", "HEAD"]);
        Assert.Equal(first, head.StandardOutput.Trim());
        Assert.False(File.Exists(_build.Image("/kept/.git/FETCH_HEAD")));
    }

    [RootFact]
    public async Task The_query_form_names_refs_tags_branches_subdirectories_checksums_and_keep_git_dir()
    {
        // A branch named like the tag v1, one commit later: ?tag= and ?branch= tell them apart, where #v1 takes the branch.
        await ToolRunner.RunCheckedAsync("git", ["--git-dir=" + Path.Combine(_served.Path, "repo.git"), "branch", "v1", "main"]);
        var first = await _repository!.RevParseAsync("v1");

        await _build.BuildAndUnpackAsync($"""
            FROM scratch
            ADD {Repo}?ref=v1a&subdir=sub /ref-sub
            ADD {Repo}?branch=feature /branch
            ADD {Repo}?tag=v1 /tag
            ADD {Repo}?branch=v1 /branch-v1
            ADD {Repo}#v1 /fragment-v1
            ADD {Repo}?subdir=sub%2Fdeep#v1 /mixed
            ADD {Repo}?commit={first[..12]}&tag=v1 /checked
            ADD --keep-git-dir=true {Repo}?keep-git-dir&tag=v1 /kept
            """);

        Assert.Equal(["deep/", "deep/f"], _build.Listing("/ref-sub"));
        Assert.Equal("feature\n", _build.Read("/branch/feat.txt"));
        Assert.Equal("one\n", _build.Read("/tag/a.txt"));
        Assert.Equal("two\n", _build.Read("/branch-v1/a.txt"));
        Assert.Equal("two\n", _build.Read("/fragment-v1/a.txt"));
        Assert.Equal(["f"], _build.Listing("/mixed"));
        Assert.Equal("one\n", _build.Read("/checked/a.txt"));
        Assert.DoesNotContain(".git/", _build.Listing("/checked"));

        var head = await ToolRunner.RunCheckedAsync("git", ["-c", "safe.directory=*", "-C", _build.Image("/kept"), "rev-parse", "HEAD"]);
        Assert.Equal(first, head.StandardOutput.Trim());

        // git was given the remote without the query.
        var origin = await ToolRunner.RunCheckedAsync("git", ["-c", "safe.directory=*", "-C", _build.Image("/kept"), "remote", "get-url", "origin"]);
        Assert.Equal(Repo, origin.StandardOutput.Trim());
    }

    [RootFact]
    public async Task A_commit_other_than_the_query_checksum_fails_with_one_error_at_its_line()
    {
        var result = await _build.BuildAsync($"FROM scratch\nADD {Repo}?checksum=0123abc&branch=main /src\n");

        var error = DrydockRunner.AssertOneError(result);
        Assert.StartsWith($"ERROR Dockerfile:2:1: ADD: checksum mismatch for {Repo}#refs/heads/main: expected a commit starting with 0123abc, got ", error, StringComparison.Ordinal);
        Assert.Contains("update the checksum", error, StringComparison.Ordinal);
    }

    [RootTheory]
    [InlineData("?tag=v1&branch=v1", "branch conflicts with tag; give one of them")]
    [InlineData("?ref=v1#main", "ref conflicts: \"main\" vs \"v1\"")]
    [InlineData("?depth=1", "unexpected query key \"depth\"; the keys are ref, tag, branch, subdir, checksum (or commit), keep-git-dir and submodules")]
    public async Task A_query_BuildKit_refuses_fails_at_its_line_without_credentials(string query, string expected)
    {
        var secret = Daemon.Url("repo.git").Replace("git://", "git://user:s3cret@", StringComparison.Ordinal);

        var result = await _build.BuildAsync($"FROM scratch\nADD {secret}{query} /src\n");

        var error = DrydockRunner.AssertOneError(result);
        Assert.StartsWith($"ERROR Dockerfile:2:1: ADD: invalid git URL git://127.0.0.1:{Daemon.Port}/repo.git", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", result.StandardError + result.StandardOutput, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task An_unknown_ref_fails_at_its_line_naming_the_refs_there_are()
    {
        var error = await _build.BuildFailsAsync($"FROM scratch\nADD {Repo}#nope /src\n", "2:1: ADD: ");

        Assert.Contains($"{Repo} has no branch or tag nope", error);
        Assert.Contains("feature, main, v1", error);
    }

    [RootFact]
    public async Task A_commit_other_than_the_checksum_fails_the_build()
    {
        var error = await _build.BuildFailsAsync($"FROM scratch\nADD --checksum=0123abc {Repo}#main /src\n", "2:1: ADD: ");

        Assert.Contains("checksum mismatch", error);
        Assert.Contains("expected a commit starting with 0123abc, got " + await _repository!.RevParseAsync("main"), error);
    }

    [RootFact]
    public async Task An_unreachable_repository_fails_with_a_hint()
    {
        using var closed = new RefusingPort();
        var url = $"git://{closed.Host}/repo.git";

        var error = await _build.BuildFailsAsync($"FROM scratch\nADD {url} /src\n", "2:1: ADD: ");

        Assert.Contains($"cannot reach the git repository {url}", error);
        Assert.Contains("check the address", error);
    }
}
