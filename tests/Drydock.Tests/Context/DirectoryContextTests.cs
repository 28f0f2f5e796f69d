using Drydock.Context;

namespace Drydock.Tests.Context;

public sealed class DirectoryContextTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task Finds_the_default_dockerfile_and_context_dockerignore()
    {
        _tree.File("Dockerfile", "FROM scratch\n");
        var ignoreFile = _tree.File(".dockerignore", "*.log\n");
        await using var context = await OpenAsync(_tree.Root);
        Assert.Equal(_tree.Root, context.Root);
        Assert.Equal(_tree.In("Dockerfile"), context.DockerfilePath);
        Assert.Equal(ignoreFile, context.IgnoreFilePath);
        Assert.True(context.Ignore.IsExcluded("x.log"));
    }

    [Fact]
    public async Task No_dockerignore_means_nothing_is_excluded()
    {
        _tree.File("Dockerfile");
        await using var context = await OpenAsync(_tree.Root);
        Assert.Null(context.IgnoreFilePath);
        Assert.Empty(context.Ignore.Patterns);
    }

    [Fact]
    public async Task A_missing_context_directory_is_a_clear_error()
    {
        var missing = Path.Combine(_tree.Parent, "nope");
        var e = await Assert.ThrowsAsync<BuildContextException>(() => OpenAsync(missing));
        Assert.Equal($"build context directory not found: {missing}: pass --context with an existing directory", e.Message);
    }

    [Fact]
    public async Task A_file_as_context_is_a_clear_error()
    {
        var file = _tree.Outside("context.tar");
        var e = await Assert.ThrowsAsync<BuildContextException>(() => OpenAsync(file));
        Assert.Contains("is a file, not a directory", e.Message);
    }

    [Fact]
    public async Task A_missing_dockerfile_says_to_pass_dockerfile()
    {
        var e = await Assert.ThrowsAsync<BuildContextException>(() => OpenAsync(_tree.Root));
        Assert.StartsWith($"Dockerfile not found at {_tree.In("Dockerfile")}: pass --dockerfile", e.Message);
    }

    [Fact]
    public async Task A_missing_named_dockerfile_lists_where_it_looked()
    {
        var work = Directory.CreateDirectory(Path.Combine(_tree.Parent, "work")).FullName;
        var e = await Assert.ThrowsAsync<BuildContextException>(() => OpenAsync(_tree.Root, "build/app.Dockerfile", work));
        Assert.Contains(_tree.In("build/app.Dockerfile"), e.Message);
        Assert.Contains(Path.Combine(work, "build/app.Dockerfile"), e.Message);
        Assert.Contains("pass --dockerfile", e.Message);
    }

    [Fact]
    public async Task A_relative_dockerfile_is_looked_up_in_the_context()
    {
        var dockerfile = _tree.File("build/app.Dockerfile");
        await using var context = await OpenAsync(_tree.Root, "build/app.Dockerfile", _tree.Parent);
        Assert.Equal(dockerfile, context.DockerfilePath);
    }

    [Fact]
    public async Task A_relative_dockerfile_falls_back_to_the_working_directory()
    {
        var dockerfile = _tree.Outside("ci/Dockerfile.release");
        await using var context = await OpenAsync(_tree.Root, "ci/Dockerfile.release", _tree.Parent);
        Assert.Equal(dockerfile, context.DockerfilePath);
    }

    [Fact]
    public async Task An_absolute_dockerfile_may_live_outside_the_context()
    {
        var dockerfile = _tree.Outside("elsewhere/Dockerfile");
        await using var context = await OpenAsync(_tree.Root, dockerfile);
        Assert.Equal(dockerfile, context.DockerfilePath);
    }

    [Fact]
    public async Task A_relative_context_is_taken_from_the_working_directory()
    {
        _tree.File("Dockerfile");
        await using var context = await OpenAsync("ctx", null, _tree.Parent);
        Assert.Equal(_tree.Root, context.Root);
    }

    [Fact]
    public async Task A_dockerfile_that_is_a_directory_is_named_as_such()
    {
        _tree.Dir("Dockerfile");
        var e = await Assert.ThrowsAsync<BuildContextException>(() => OpenAsync(_tree.Root));
        Assert.Contains("is a directory", e.Message);
    }

    [Fact]
    public async Task A_dockerfile_link_cannot_read_outside_the_context()
    {
        var outside = _tree.Outside("host-file", "secret");
        _tree.Link("Dockerfile", outside);
        await Assert.ThrowsAsync<BuildContextException>(() => OpenAsync(_tree.Root));
    }

    [Fact]
    public async Task A_dockerfile_link_inside_the_context_is_followed()
    {
        var real = _tree.File("docker/Dockerfile", "FROM busybox\n");
        _tree.Link("Dockerfile", "/docker/Dockerfile");
        await using var context = await OpenAsync(_tree.Root);
        Assert.Equal(real, context.DockerfilePath);
        Assert.Equal("FROM busybox\n", await context.ReadDockerfileAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_dockerfile_specific_ignore_file_wins_over_the_context_one()
    {
        _tree.File(".dockerignore", "a.txt\n");
        var specific = _tree.File("build/app.Dockerfile.dockerignore", "b.txt\n");
        _tree.File("build/app.Dockerfile");
        _tree.File("a.txt");
        _tree.File("b.txt");

        await using var context = await OpenAsync(_tree.Root, "build/app.Dockerfile");
        Assert.Equal(specific, context.IgnoreFilePath);
        Assert.Single(context.ResolveSources("a.txt"));
        var e = Assert.Throws<BuildContextException>(() => context.ResolveSources("b.txt"));
        Assert.Contains(specific + ":1", e.Message);
    }

    [Fact]
    public async Task The_default_dockerfile_has_its_own_ignore_file_too()
    {
        _tree.File("Dockerfile");
        _tree.File(".dockerignore", "a.txt\n");
        var specific = _tree.File("Dockerfile.dockerignore", "b.txt\n");
        await using var context = await OpenAsync(_tree.Root);
        Assert.Equal(specific, context.IgnoreFilePath);
        Assert.False(context.Ignore.IsExcluded("a.txt"));
        Assert.True(context.Ignore.IsExcluded("b.txt"));
    }

    [Fact]
    public async Task A_specific_ignore_file_beside_an_outside_dockerfile_is_used()
    {
        _tree.File(".dockerignore", "a.txt\n");
        var dockerfile = _tree.Outside("ops/web.Dockerfile");
        var specific = _tree.Outside("ops/web.Dockerfile.dockerignore", "b.txt\n");
        await using var context = await OpenAsync(_tree.Root, dockerfile);
        Assert.Equal(specific, context.IgnoreFilePath);
    }

    [Fact]
    public async Task Another_dockerfiles_ignore_file_is_not_used()
    {
        _tree.File("Dockerfile");
        _tree.File("other.Dockerfile.dockerignore", "a.txt\n");
        await using var context = await OpenAsync(_tree.Root);
        Assert.Null(context.IgnoreFilePath);
    }

    [Fact]
    public async Task A_bad_dockerignore_line_fails_the_open_with_file_and_line()
    {
        _tree.File("Dockerfile");
        var ignoreFile = _tree.File(".dockerignore", "ok\n\n[oops\n");
        var e = await Assert.ThrowsAsync<BuildContextException>(() => OpenAsync(_tree.Root));
        Assert.Contains(ignoreFile + ":3", e.Message);
    }

    private static Task<DirectoryContext> OpenAsync(string directory, string? dockerfile = null, string? workingDirectory = null) =>
        DirectoryContext.OpenAsync(directory, dockerfile, workingDirectory, CancellationToken.None);
}
