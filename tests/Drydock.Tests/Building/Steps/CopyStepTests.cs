using Drydock.Building.Copy;
using Drydock.Building;
using Drydock.Context;
using Drydock.Native;
using Drydock.Tests.Building.Copy;

namespace Drydock.Tests.Building.Steps;

public sealed class CopyStepTests : IDisposable
{
    private readonly CopyScenario _scenario = new();

    private Drydock.Tests.Context.TempTree Context => _scenario.Context;

    public void Dispose() => _scenario.Dispose();

    [RootFact]
    public async Task Parents_keep_the_path_after_the_pivot()
    {
        Context.File("x/y/a.txt", "a");
        Context.File("x/y/b.md", "b");
        Context.File("x/z.txt", "z");

        await _scenario.CopyAsync("COPY --parents ./x/./y/*.txt /p/");

        Assert.Equal(["y/", "y/a.txt"], _scenario.Listing("/p"));
    }

    [RootFact]
    public async Task Parents_without_a_pivot_keep_the_whole_path_and_double_star_recurses()
    {
        Context.File("src/a.txt");
        Context.File("src/x/b.txt");
        Context.File("src/x/y/c.txt");
        Context.File("src/x/y/d.md");
        Context.File("other/e.txt");
        File.SetUnixFileMode(Context.In("src/x"), (UnixFileMode)0b111_000_000);

        await _scenario.CopyAsync("COPY --parents src/**/*.txt /p");

        Assert.Equal(["src/", "src/a.txt", "src/x/", "src/x/b.txt", "src/x/y/", "src/x/y/c.txt"], _scenario.Listing("/p"));

        // Directories on the way are copied from the source, not made up.
        Assert.Equal("700", _scenario.Mode("/p/src/x"));
    }

    [RootFact]
    public async Task Parents_of_a_matched_directory_copy_all_of_it()
    {
        Context.File("a/b/c/f");
        Context.File("a/g");

        await _scenario.CopyAsync("COPY --parents a/b a/g /p/");

        Assert.Equal(["a/", "a/b/", "a/b/c/", "a/b/c/f", "a/g"], _scenario.Listing("/p"));
    }

    [RootFact]
    public async Task Parents_matching_nothing_fail()
    {
        Context.File("a.txt");

        var error = await Assert.ThrowsAsync<BuildContextException>(() => _scenario.CopyAsync("COPY --parents nothing/*.txt /p/"));

        Assert.Contains("nothing/*.txt", error.Message);
    }

    // BuildKit's own vectors (dockerfile_excludepatterns_test.go): patterns match below each directory source.
    [RootFact]
    public async Task Excludes_match_paths_below_each_directory_source()
    {
        Context.File("dir1/file-101.png", "2");
        Context.File("dir1/file-102.txt", "3");
        Context.File("dir2/file-201.pdf", "6");
        Context.File("dir2/file-202.jpeg", "7");
        Context.File("dir3/file-301.mp3", "9");
        Context.File("dir3/file-302.mpeg", "10");

        await _scenario.CopyAsync("COPY --exclude=*/*.png --exclude=*/*.jpeg . /1");
        await _scenario.CopyAsync("COPY --exclude=*.mp3 dir3/ /3/");
        await _scenario.CopyAsync("COPY --exclude=*.mp3 --exclude=*.jpeg --exclude=*.png --exclude=*.pdf --exclude=*.txt dir* /4/");
        await _scenario.CopyAsync("COPY --exclude=* dir* /6");

        Assert.Equal(["dir1/", "dir1/file-102.txt", "dir2/", "dir2/file-201.pdf", "dir3/", "dir3/file-301.mp3", "dir3/file-302.mpeg"], _scenario.Listing("/1"));
        Assert.Equal(["file-302.mpeg"], _scenario.Listing("/3"));
        Assert.Equal(["file-302.mpeg"], _scenario.Listing("/4"));
        Assert.Empty(_scenario.Listing("/6"));
    }

    [RootFact]
    public async Task An_exception_reincludes_a_file_in_an_excluded_directory_which_keeps_its_own_metadata()
    {
        Context.File("d/sub/keep.txt");
        Context.File("d/sub/drop.txt");
        Context.File("d/deep/x/y.log");
        Context.File("d/top.log");
        File.SetUnixFileMode(Context.In("d/sub"), (UnixFileMode)0b111_101_000);

        await _scenario.CopyAsync("COPY --exclude=sub --exclude=!sub/keep.txt --exclude=**/*.log d /e/");

        Assert.Equal(["deep/", "deep/x/", "sub/", "sub/keep.txt"], _scenario.Listing("/e"));
        Assert.Equal("750", _scenario.Mode("/e/sub"));
    }

    [RootFact]
    public async Task Excludes_match_a_file_source_by_its_name()
    {
        Context.File("home.txt");
        Context.File("homer.md");
        Context.File("sub/house.txt");

        await _scenario.CopyAsync("COPY --exclude=*.txt hom* sub/house.txt /h/");

        Assert.Equal(["homer.md"], _scenario.Listing("/h"));
    }

    [RootFact]
    public async Task Chmod_applies_to_copied_files_and_directories_but_not_to_the_destination_or_its_parents()
    {
        Context.File("d/sub/f");
        Context.File("d/g");
        Context.File("d/run.sh");
        File.SetUnixFileMode(Context.In("d/sub"), (UnixFileMode)0b111_000_000);
        File.SetUnixFileMode(Context.In("d/sub/f"), (UnixFileMode)0b110_000_000);
        File.SetUnixFileMode(Context.In("d/g"), (UnixFileMode)0b110_100_000);
        File.SetUnixFileMode(Context.In("d/run.sh"), (UnixFileMode)0b111_000_000);

        await _scenario.CopyAsync("COPY --chmod=u=rwX,go=rX d /a/b/");
        await _scenario.CopyAsync("COPY --chmod=0700 d /c");
        await _scenario.CopyAsync("COPY --chmod=4755 d/g /single");

        Assert.Equal(["755", "755", "755", "644", "644", "755"], new[] { "/a", "/a/b", "/a/b/sub", "/a/b/sub/f", "/a/b/g", "/a/b/run.sh" }.Select(_scenario.Mode));
        Assert.Equal(["755", "700", "700", "700"], new[] { "/c", "/c/sub", "/c/sub/f", "/c/g" }.Select(_scenario.Mode));
        Assert.Equal("4755", _scenario.Mode("/single"));
    }

    [RootFact]
    public async Task Without_chmod_modes_and_times_are_kept_to_the_nanosecond()
    {
        Context.File("d/sub/f", "x");
        File.SetUnixFileMode(Context.In("d/sub/f"), (UnixFileMode)0b111_101_000);
        var time = new FileTime(1_600_000_000, 123_456_789);
        NativeFiles.SetTimes(Context.In("d/sub/f"), time, time);
        NativeFiles.SetTimes(Context.In("d/sub"), time, time);
        NativeFiles.SetTimes(Context.In("d"), time, time);

        await _scenario.CopyAsync("COPY d /d");

        Assert.Equal("750", _scenario.Mode("/d/sub/f"));
        Assert.Equal(time, NativeFiles.Lstat(_scenario.Image("/d/sub/f")).ModificationTime);
        Assert.Equal(time, NativeFiles.Lstat(_scenario.Image("/d/sub")).ModificationTime);

        // The destination takes the source directory's time, as BuildKit stamps it.
        Assert.Equal(time, NativeFiles.Lstat(_scenario.Image("/d")).ModificationTime);
    }

    [RootFact]
    public async Task Context_files_belong_to_root_and_a_stage_keeps_its_owners_unless_chown()
    {
        using var stage = new TempDirectory("drydock-stage-");
        Directory.CreateDirectory(Path.Combine(stage, "data/sub"));
        File.WriteAllText(Path.Combine(stage, "data/sub/f"), "f");
        NativeFiles.Lchown(Path.Combine(stage, "data/sub"), 1234, 4321);
        NativeFiles.Lchown(Path.Combine(stage, "data/sub/f"), 1234, 4321);
        Context.File("ctx.txt");
        NativeFiles.Lchown(Context.In("ctx.txt"), 1234, 4321);
        var from = FileSource.ForRootfs(stage);

        await _scenario.CopyAsync("COPY --from=builder /data /kept/", from: from);
        await _scenario.CopyAsync("COPY --from=builder --chown=7:8 /data /chowned/", from: from);
        await _scenario.CopyAsync("COPY ctx.txt /ctx.txt");

        // Each path with its owner, compared whole so a failure shows them all.
        string[] paths = ["/kept/sub", "/kept/sub/f", "/kept", "/chowned/sub/f", "/chowned", "/ctx.txt"];
        Assert.Equal(
            ["/kept/sub 1234:4321", "/kept/sub/f 1234:4321", "/kept 0:0", "/chowned/sub/f 7:8", "/chowned 7:8", "/ctx.txt 0:0"],
            paths.Select(p => $"{p} {_scenario.Owner(p)}"));
    }

    [RootFact]
    public async Task Heredocs_expand_unless_quoted_and_take_chmod_and_chown()
    {
        var name = new Dictionary<string, string> { ["NAME"] = "world" };

        await _scenario.CopyAsync("COPY <<EOF /etc/greeting\nhello $NAME\nEOF", name);
        await _scenario.CopyAsync("COPY --chmod=755 --chown=3:4 <<'EOF' /bin/script\necho $NAME\nEOF", name);
        await _scenario.CopyAsync("COPY <<a.txt <<b.txt /two/\nA\na.txt\nB\nb.txt", name);

        Assert.Equal("hello world\n", File.ReadAllText(_scenario.Image("/etc/greeting")));
        Assert.Equal("644", _scenario.Mode("/etc/greeting"));
        Assert.Equal("echo $NAME\n", File.ReadAllText(_scenario.Image("/bin/script")));
        Assert.Equal("755", _scenario.Mode("/bin/script"));
        Assert.Equal("3:4", _scenario.Owner("/bin/script"));
        Assert.Equal(["a.txt", "b.txt"], _scenario.Listing("/two"));
        Assert.Equal("B\n", File.ReadAllText(_scenario.Image("/two/b.txt")));
    }

    [RootFact]
    public async Task Symlinks_and_fifos_are_copied_as_what_they_are()
    {
        Context.File("d/target", "t");
        Context.Link("d/link", "/elsewhere/target");
        NativeFiles.MakeFifo(Context.In("d/pipe"), (UnixFileMode)0b110_100_100);

        await _scenario.CopyAsync("COPY d /d/");

        Assert.Equal("/elsewhere/target", new FileInfo(_scenario.Image("/d/link")).LinkTarget);
        Assert.Equal(FileKind.Fifo, NativeFiles.Lstat(_scenario.Image("/d/pipe")).Kind);
    }

    [RootFact]
    public async Task A_single_wildcard_match_becomes_the_destination_and_directory_sources_merge_into_it()
    {
        Context.File("target/app-1.0.jar", "jar");
        Context.File("one/a");
        Context.File("two/b");

        await _scenario.CopyAsync("COPY target/*.jar /app.jar");
        await _scenario.CopyAsync("COPY one two /merged");

        Assert.Equal("jar", File.ReadAllText(_scenario.Image("/app.jar")));
        Assert.Equal(["a", "b"], _scenario.Listing("/merged"));
    }

    [RootFact]
    public async Task Several_files_need_a_directory_destination()
    {
        Context.File("a");
        Context.File("b");

        var error = await Assert.ThrowsAsync<BuildException>(() => _scenario.CopyAsync("COPY a b /file"));

        Assert.StartsWith("Dockerfile:2:1: COPY: ", error.Message);
        Assert.Contains("\"/file/\"", error.Message);
    }

    [Theory]
    [InlineData("COPY --chmod=u+q a /a", "invalid --chmod=u+q")]
    [InlineData("COPY --chmod=10000 a /a", "above 07777")]
    [InlineData("COPY http://example.com/a /a", "use ADD")]
    [InlineData("COPY git@github.com:moby/buildkit.git /a", "use ADD")]
    public async Task Bad_copies_fail_at_their_line_with_a_hint(string line, string expected)
    {
        Context.File("a");

        var error = await Assert.ThrowsAsync<BuildException>(() => _scenario.CopyAsync(line));

        Assert.StartsWith("Dockerfile:2:1: COPY: ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.False(File.Exists(_scenario.Image("/a")));
    }

    [Theory]
    [InlineData("file", "/work", "/work/file", false)]
    [InlineData("dir/", "/work", "/work/dir", true)]
    [InlineData(".", "/work", "/work", true)]
    [InlineData("..", "/work/sub", "/work", true)]
    [InlineData("x/..", null, "/", true)]
    [InlineData("/abs//path/", "/work", "/abs/path", true)]
    public void Destinations_are_taken_from_the_workdir_and_a_trailing_slash_makes_a_directory(string written, string? workdir, string path, bool directory)
    {
        Assert.Equal(new CopyDestination(path, directory), CopyDestination.Resolve(written, workdir));
    }
}
