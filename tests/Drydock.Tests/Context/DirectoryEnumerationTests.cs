using Drydock.Context;

namespace Drydock.Tests.Context;

public sealed class DirectoryEnumerationTests : IDisposable
{
    private readonly TempTree _tree = new();

    public DirectoryEnumerationTests()
    {
        _tree.File("Dockerfile");
        _tree.File("app/main.go");
        _tree.File("app/util.go");
        _tree.File("app/README.md");
        _tree.File("app/sub/deep.txt");
        _tree.File("app/.hidden");
        _tree.Link("app/current", "sub");
        _tree.Link("app/host", "/etc");
    }

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task Walks_depth_first_in_byte_order_with_links_as_links()
    {
        var entries = await EnumerateAsync("app");
        Assert.Equal(
            [
                ".hidden F", "README.md F", "current S", "host S", "main.go F", "sub D", "sub/deep.txt F", "util.go F",
            ],
            entries.Select(Describe));

        var current = entries.Single(e => e.Path == "current");
        Assert.Equal("sub", current.LinkTarget);
        Assert.Equal(_tree.In("app/current"), current.FullPath);
        Assert.Equal("/etc", entries.Single(e => e.Path == "host").LinkTarget);
        Assert.Null(entries.Single(e => e.Path == "main.go").LinkTarget);
    }

    [Fact]
    public async Task Orders_names_by_utf8_bytes()
    {
        foreach (var name in new[] { "b", "B", "_", "a", "é", "\uFB01", "😀", "a-b", "a.b" })
        {
            _tree.File("names/" + name);
        }

        Assert.Equal(
            ["B", "_", "a", "a-b", "a.b", "b", "é", "\uFB01", "😀"],
            (await EnumerateAsync("names")).Select(e => e.Path));
    }

    [Fact]
    public async Task Applies_ignore_rules_to_context_paths()
    {
        _tree.File(".dockerignore", "**/*.md\napp/sub\n");
        Assert.Equal(
            [".hidden", "current", "host", "main.go", "util.go"],
            (await EnumerateAsync("app")).Select(e => e.Path));
    }

    [Fact]
    public async Task Root_enumeration_skips_ignored_entries_but_keeps_reincluded_ones_with_their_parents()
    {
        _tree.File(".dockerignore", "app\n!app/sub/deep.txt\n");
        Assert.Equal(
            [".dockerignore F", "Dockerfile F", "app D", "app/sub D", "app/sub/deep.txt F"],
            (await EnumerateAsync(".")).Select(Describe));
    }

    [Fact]
    public async Task Excluded_directories_without_reincluded_content_are_left_out()
    {
        _tree.File("other/x.txt");
        _tree.File(".dockerignore", "*\n!Dockerfile\n!**/deep.txt\n");
        Assert.Equal(
            ["Dockerfile F", "app D", "app/sub D", "app/sub/deep.txt F"],
            (await EnumerateAsync(".")).Select(Describe));
    }

    [Fact]
    public async Task Ignore_rules_see_the_real_path_when_the_source_is_a_link()
    {
        _tree.Link("alias", "app");
        _tree.File(".dockerignore", "app/util.go\n");
        var entries = await EnumerateAsync("alias");
        Assert.DoesNotContain(entries, e => e.Path == "util.go");
        Assert.Contains(entries, e => e.Path == "main.go" && e.FullPath == _tree.In("app/main.go"));
    }

    [Fact]
    public async Task Cancellation_stops_the_walk()
    {
        await using var context = await DirectoryContext.OpenAsync(_tree.Root, cancellationToken: CancellationToken.None);
        var source = Assert.Single(context.ResolveSources("app"));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        Assert.Throws<OperationCanceledException>(() => context.EnumerateDirectory(source, cancelled.Token).ToList());
    }

    [Fact]
    public async Task Only_directories_inside_the_context_can_be_walked()
    {
        await using var context = await DirectoryContext.OpenAsync(_tree.Root, cancellationToken: CancellationToken.None);
        var file = Assert.Single(context.ResolveSources("app/main.go"));
        Assert.Throws<ArgumentException>(() => context.EnumerateDirectory(file).ToList());
        var outside = new ContextEntry("x", _tree.Parent, ContextEntryType.Directory);
        Assert.Throws<ArgumentException>(() => context.EnumerateDirectory(outside).ToList());
    }

    private static string Describe(ContextEntry entry) => entry.Path + " " + entry.Type.ToString()[0];

    private async Task<List<ContextEntry>> EnumerateAsync(string source)
    {
        await using var context = await DirectoryContext.OpenAsync(_tree.Root, cancellationToken: CancellationToken.None);
        var directory = Assert.Single(context.ResolveSources(source));
        return context.EnumerateDirectory(directory).ToList();
    }
}
