using Drydock.Context;
using Drydock.Native;

namespace Drydock.Tests.Building.Copy;

/// <summary>
/// COPY keeps hardlinks as BuildKit's copy does: names of one source file copied by one
/// instruction share one copied inode, so the layer holds the content once.
/// </summary>
public sealed class CopyHardlinkTests : IDisposable
{
    private readonly CopyScenario _scenario = new();

    public void Dispose() => _scenario.Dispose();

    [RootFact]
    public async Task Names_of_one_context_file_stay_linked_and_take_chown_and_chmod()
    {
        LinkedTree(_scenario.Context.Root);

        await _scenario.CopyAsync("COPY --chown=7:8 --chmod=600 dir /dst/");

        AssertLinked("/dst/a", "/dst/sub/b");
        Assert.NotEqual(Inode("/dst/a"), Inode("/dst/c"));
        Assert.Equal(1u, NativeFiles.Lstat(_scenario.Image("/dst/c")).LinkCount);
        Assert.Equal("7:8", _scenario.Owner("/dst/sub/b"));
        Assert.Equal("600", _scenario.Mode("/dst/sub/b"));
        Assert.Equal("linked", File.ReadAllText(_scenario.Image("/dst/sub/b")));
    }

    [RootFact]
    public async Task Names_of_one_stage_file_stay_linked_with_their_owner()
    {
        LinkedTree(_scenario.Stage);
        NativeFiles.Lchown(Path.Combine(_scenario.Stage, "dir/a"), 1000, 1000);

        await _scenario.CopyAsync("COPY --from=builder /dir /dst/", from: FileSource.ForRootfs(_scenario.Stage));

        AssertLinked("/dst/a", "/dst/sub/b");
        Assert.Equal("1000:1000", _scenario.Owner("/dst/sub/b"));
    }

    [RootFact]
    public async Task File_sources_of_one_instruction_link_but_separate_instructions_copy()
    {
        LinkedTree(_scenario.Context.Root);

        await _scenario.CopyAsync("COPY dir/a dir/sub/b /files/");
        await _scenario.CopyAsync("COPY dir/a /one/");
        await _scenario.CopyAsync("COPY dir/sub/b /two/");

        AssertLinked("/files/a", "/files/b");
        Assert.NotEqual(Inode("/one/a"), Inode("/two/b"));
    }

    [RootFact]
    public async Task Parents_and_exclude_keep_the_links_of_what_they_copy()
    {
        LinkedTree(_scenario.Context.Root);

        await _scenario.CopyAsync("COPY --parents dir/./**/[ab] /par/");
        await _scenario.CopyAsync("COPY --exclude=a dir /excl/");

        AssertLinked("/par/a", "/par/sub/b");
        Assert.Equal(1u, NativeFiles.Lstat(_scenario.Image("/excl/sub/b")).LinkCount);
    }

    [RootFact]
    public async Task A_name_whose_first_copy_was_replaced_gets_a_copy_of_its_own()
    {
        // one/f and two/g are one file; two/f, another file, replaces the copy of one/f.
        _scenario.Context.File("one/f", "first");
        _scenario.Context.File("two/f", "other");
        NativeFiles.Link(_scenario.Context.In("one/f"), _scenario.Context.In("two/g"));

        await _scenario.CopyAsync("COPY one/ two/ /dst/");

        Assert.Equal("other", File.ReadAllText(_scenario.Image("/dst/f")));
        Assert.Equal("first", File.ReadAllText(_scenario.Image("/dst/g")));
        Assert.NotEqual(Inode("/dst/f"), Inode("/dst/g"));
    }

    // dir/a and dir/sub/b are one file; dir/c is another.
    private static void LinkedTree(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "dir/sub"));
        File.WriteAllText(Path.Combine(root, "dir/a"), "linked");
        NativeFiles.Link(Path.Combine(root, "dir/a"), Path.Combine(root, "dir/sub/b"));
        File.WriteAllText(Path.Combine(root, "dir/c"), "linked");
    }

    private void AssertLinked(string first, string second)
    {
        Assert.Equal(Inode(first), Inode(second));
        Assert.Equal(2u, NativeFiles.Lstat(_scenario.Image(first)).LinkCount);
    }

    private ulong Inode(string imagePath) => NativeFiles.Lstat(_scenario.Image(imagePath)).Inode;
}
