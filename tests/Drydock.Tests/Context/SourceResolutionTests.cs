using Drydock.Context;

namespace Drydock.Tests.Context;

public sealed class SourceResolutionTests : IDisposable
{
    private readonly TempTree _tree = new();

    public SourceResolutionTests()
    {
        _tree.File("Dockerfile", "FROM scratch\n");
        _tree.File("hello.txt", "hi");
        _tree.File("app/main.go");
        _tree.File("app/util.go");
        _tree.File("app/README.md");
        _tree.File("app/sub/deep.txt");
        _tree.File("docs/a.md");
        _tree.Link("link-to-app", "app");
    }

    public void Dispose() => _tree.Dispose();

    [Theory]
    [InlineData("hello.txt")]
    [InlineData("/hello.txt")]
    [InlineData("./hello.txt")]
    [InlineData("app/../hello.txt")]
    [InlineData("../../hello.txt")]
    [InlineData("app/sub/../../hello.txt")]
    public async Task A_plain_source_is_relative_to_the_context_root(string source)
    {
        var entry = Assert.Single(await ResolveAsync(source));
        Assert.Equal("hello.txt", entry.Path);
        Assert.Equal(ContextEntryType.File, entry.Type);
        Assert.Equal(_tree.In("hello.txt"), entry.FullPath);
    }

    [Theory]
    [InlineData(".")]
    [InlineData("/")]
    [InlineData("./")]
    [InlineData("..")]
    public async Task The_context_root_is_a_directory_source(string source)
    {
        var entry = Assert.Single(await ResolveAsync(source));
        Assert.Equal(".", entry.Path);
        Assert.Equal(ContextEntryType.Directory, entry.Type);
        Assert.Equal(_tree.Root, entry.FullPath);
    }

    [Theory]
    [InlineData("app/*.go", new[] { "app/main.go", "app/util.go" })]
    [InlineData("*/*.md", new[] { "app/README.md", "docs/a.md", "link-to-app/README.md" })] // like Go's Glob, through links
    [InlineData("ap?/m*", new[] { "app/main.go" })]
    [InlineData("[a-d]*", new[] { "app", "docs" })]
    [InlineData("[^a-d]*.txt", new[] { "hello.txt" })]
    [InlineData("*/sub/*.txt", new[] { "app/sub/deep.txt", "link-to-app/sub/deep.txt" })]
    [InlineData("/app/*/deep.txt", new[] { "app/sub/deep.txt" })]
    [InlineData("../app/util.g[o]", new[] { "app/util.go" })]
    public async Task Wildcards_match_per_component_in_byte_order(string source, string[] expected) =>
        Assert.Equal(expected, (await ResolveAsync(source)).Select(e => e.Path));

    [Fact]
    public async Task A_wildcard_does_not_cross_a_slash()
    {
        var e = await Assert.ThrowsAsync<BuildContextException>(() => ResolveAsync("*.go"));
        Assert.Contains("no source files were specified", e.Message);
        Assert.Contains("\"*.go\"", e.Message);
    }

    [Fact]
    public async Task An_escaped_wildcard_matches_itself()
    {
        _tree.File("weird/a*b.txt");
        _tree.File("weird/axb.txt");
        Assert.Equal(["weird/a*b.txt"], (await ResolveAsync("weird/a\\*b.txt")).Select(e => e.Path));
    }

    [Fact]
    public async Task Dot_dot_never_leaves_the_context()
    {
        _tree.Outside("secret.txt", "outside");
        var e = await Assert.ThrowsAsync<BuildContextException>(() => ResolveAsync("../secret.txt"));
        Assert.Contains("file not found in build context or excluded by .dockerignore: stat secret.txt: file does not exist", e.Message);
        Assert.Contains("\"..\" cannot leave it", e.Message);
    }

    [Fact]
    public async Task A_missing_source_says_where_it_looked_and_how_to_fix_it()
    {
        var e = await Assert.ThrowsAsync<BuildContextException>(() => ResolveAsync("missing/file.txt"));
        Assert.Contains("file not found in build context or excluded by .dockerignore: stat missing/file.txt: file does not exist", e.Message);
        Assert.Contains(_tree.Root, e.Message);
        Assert.Contains("--context", e.Message);
    }

    [Fact]
    public async Task A_symlink_source_is_followed_inside_the_context()
    {
        var entry = Assert.Single(await ResolveAsync("link-to-app"));
        Assert.Equal("link-to-app", entry.Path);
        Assert.Equal(ContextEntryType.Directory, entry.Type);
        Assert.Equal(_tree.In("app"), entry.FullPath);

        var file = Assert.Single(await ResolveAsync("link-to-app/main.go"));
        Assert.Equal(_tree.In("app/main.go"), file.FullPath);
    }

    [Fact]
    public async Task An_absolute_symlink_resolves_with_the_context_as_root()
    {
        _tree.File("etc/app.conf", "in context");
        _tree.Link("conf", "/etc/app.conf");
        var entry = Assert.Single(await ResolveAsync("conf"));
        Assert.Equal(_tree.In("etc/app.conf"), entry.FullPath);
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../../../../../etc/passwd")]
    public async Task A_symlink_pointing_out_of_the_context_cannot_reach_the_host(string target)
    {
        _tree.Outside("passwd", "outside");
        _tree.Link("escape", target);
        var e = await Assert.ThrowsAsync<BuildContextException>(() => ResolveAsync("escape"));
        Assert.Contains("symbolic link", e.Message);
        Assert.Contains(target, e.Message);
    }

    [Fact]
    public async Task A_symlinked_directory_cannot_lead_out_of_the_context()
    {
        _tree.Outside("outdir/secret.txt");
        _tree.Link("out", "../outdir");
        await Assert.ThrowsAsync<BuildContextException>(() => ResolveAsync("out/secret.txt"));
        await Assert.ThrowsAsync<BuildContextException>(() => ResolveAsync("out/*.txt"));
    }

    [Fact]
    public async Task An_ignored_file_is_not_resolvable_and_the_error_names_the_rule()
    {
        _tree.File(".dockerignore", "# secrets\nhello.txt\n");
        var e = await Assert.ThrowsAsync<BuildContextException>(() => ResolveAsync("hello.txt"));
        Assert.Contains("file not found in build context or excluded by .dockerignore", e.Message);
        Assert.Contains(".dockerignore:2", e.Message);
        Assert.Contains("!hello.txt", e.Message);
    }

    [Fact]
    public async Task Files_below_an_ignored_directory_are_not_resolvable()
    {
        _tree.File(".dockerignore", "app\n");
        await Assert.ThrowsAsync<BuildContextException>(() => ResolveAsync("app/main.go"));
        await Assert.ThrowsAsync<BuildContextException>(() => ResolveAsync("app"));
        Assert.Equal(["docs/a.md"], (await ResolveAsync("*/*.md")).Select(e => e.Path));
    }

    [Fact]
    public async Task Wildcards_skip_ignored_matches()
    {
        _tree.File(".dockerignore", "app/util.go\n");
        Assert.Equal(["app/main.go"], (await ResolveAsync("app/*.go")).Select(e => e.Path));
    }

    [Fact]
    public async Task A_wildcard_whose_matches_are_all_ignored_says_so()
    {
        _tree.File(".dockerignore", "**/*.go\n");
        var e = await Assert.ThrowsAsync<BuildContextException>(() => ResolveAsync("app/*.go"));
        Assert.Contains("no source files were specified", e.Message);
        Assert.Contains("excluded by .dockerignore", e.Message);
        Assert.Contains("**/*.go", e.Message);
    }

    [Fact]
    public async Task Ignore_rules_apply_to_what_a_link_points_at()
    {
        _tree.File(".dockerignore", "app/util.go\n");
        await Assert.ThrowsAsync<BuildContextException>(() => ResolveAsync("link-to-app/util.go"));
    }

    [Fact]
    public async Task An_ignored_link_is_not_a_way_in()
    {
        _tree.File(".dockerignore", "link-to-app\n");
        await Assert.ThrowsAsync<BuildContextException>(() => ResolveAsync("link-to-app/main.go"));
        Assert.Single(await ResolveAsync("app/main.go"));
    }

    [Fact]
    public async Task An_excluded_directory_with_a_reincluded_child_is_still_a_source()
    {
        _tree.File(".dockerignore", "app\n!app/main.go\n");
        var entry = Assert.Single(await ResolveAsync("app"));
        Assert.Equal(ContextEntryType.Directory, entry.Type);
        Assert.Single(await ResolveAsync("app/main.go"));
        await Assert.ThrowsAsync<BuildContextException>(() => ResolveAsync("app/util.go"));
    }

    [Fact]
    public async Task The_dockerfile_and_dockerignore_are_not_copyable_when_ignored()
    {
        _tree.File(".dockerignore", "Dockerfile\n.dockerignore\n");
        await Assert.ThrowsAsync<BuildContextException>(() => ResolveAsync("Dockerfile"));
        await Assert.ThrowsAsync<BuildContextException>(() => ResolveAsync(".dockerignore"));
    }

    [Fact]
    public async Task The_dockerfile_stays_readable_when_ignored()
    {
        _tree.File(".dockerignore", "Dockerfile\n");
        await using var context = await DirectoryContext.OpenAsync(_tree.Root, cancellationToken: CancellationToken.None);
        Assert.Equal("FROM scratch\n", await context.ReadDockerfileAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_bad_wildcard_is_reported()
    {
        var e = await Assert.ThrowsAsync<BuildContextException>(() => ResolveAsync("app/[a-"));
        Assert.Contains("bad wildcard", e.Message);
    }

    [Fact]
    public async Task An_empty_source_is_an_error() =>
        await Assert.ThrowsAsync<BuildContextException>(() => ResolveAsync(" "));

    [Fact]
    public async Task An_allowed_empty_wildcard_names_nothing()
    {
        await using var context = await DirectoryContext.OpenAsync(_tree.Root, cancellationToken: CancellationToken.None);

        Assert.Empty(context.ResolveSources("*.go", allowEmptyWildcard: true));
    }

    [Fact]
    public async Task A_missing_plain_source_fails_even_when_empty_wildcards_are_allowed()
    {
        await using var context = await DirectoryContext.OpenAsync(_tree.Root, cancellationToken: CancellationToken.None);

        var e = Assert.Throws<BuildContextException>(() => context.ResolveSources("missing.go", allowEmptyWildcard: true));
        Assert.Contains("file does not exist", e.Message);
    }

    private async Task<IReadOnlyList<ContextEntry>> ResolveAsync(string source)
    {
        await using var context = await DirectoryContext.OpenAsync(_tree.Root, cancellationToken: CancellationToken.None);
        return context.ResolveSources(source);
    }
}
