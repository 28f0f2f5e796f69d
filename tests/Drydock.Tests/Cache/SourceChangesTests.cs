using System.Text;
using Drydock.Cache;
using Drydock.Oci;

namespace Drydock.Tests.Cache;

public sealed class SourceChangesTests
{
    [Fact]
    public void The_same_lists_differ_in_nothing()
    {
        Assert.Null(SourceChanges.Describe([File("a", "1"), File("b", "2")], [File("a", "1"), File("b", "2")]));
    }

    [Fact]
    public void Changed_paths_come_first_then_added_then_removed()
    {
        var before = new[] { File("gone.txt", "1"), File("src/main.c", "1"), File("README", "1") };
        var now = new[] { File("docs/new.md", "1"), File("src/main.c", "2"), File("README", "1") };

        Assert.Equal("src/main.c changed; docs/new.md added; gone.txt removed", SourceChanges.Describe(before, now));
    }

    [Fact]
    public void Paths_of_one_kind_share_their_verb()
    {
        var before = new[] { File("a", "1"), File("b", "1") };
        var now = new[] { File("a", "2"), File("b", "2"), File("c", "1") };

        Assert.Equal("a, b changed; c added", SourceChanges.Describe(before, now));
    }

    [Fact]
    public void More_than_five_names_are_counted()
    {
        var before = Enumerable.Range(0, 8).Select(i => File($"f{i}", "1")).ToArray();
        var now = Enumerable.Range(0, 8).Select(i => File($"f{i}", "2")).ToArray();

        Assert.Equal("f0, f1, f2, f3, f4 changed; and 3 more", SourceChanges.Describe(before, now));
    }

    [Fact]
    public void A_path_listed_twice_changes_when_one_of_its_digests_does()
    {
        Assert.Equal("a changed", SourceChanges.Describe([File("a", "1"), File("a", "1")], [File("a", "1"), File("a", "2")]));
        Assert.Equal("a changed", SourceChanges.Describe([File("a", "1")], [File("a", "1"), File("a", "1")]));
    }

    [Fact]
    public void Only_order_changing_is_no_file_change()
    {
        // The total digest differs then, but no file does: there is nothing to name.
        Assert.Null(SourceChanges.Describe([File("a", "1"), File("b", "2")], [File("b", "2"), File("a", "1")]));
    }

    private static SourceFileDigest File(string path, string content) => new(path, Digest.Sha256(Encoding.UTF8.GetBytes(content)));
}
