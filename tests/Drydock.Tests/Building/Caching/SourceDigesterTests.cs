using System.Text;
using Drydock.Building.Caching;
using Drydock.Cache;
using Drydock.Context;
using Drydock.Dockerfile;
using Drydock.Native;
using Drydock.Tests.Building.Copy;

namespace Drydock.Tests.Building.Caching;

/// <summary>
/// The source digests of COPY: the same files give the same digest whatever their times, any
/// change that reaches the layer gives another and names its path, and the set digested is the
/// set the copy writes.
/// </summary>
public sealed class SourceDigesterTests : IDisposable
{
    private readonly CopyScenario _scenario = new();
    private readonly SourceDigester _digester = new();

    private Drydock.Tests.Context.TempTree Context => _scenario.Context;

    public void Dispose() => _scenario.Dispose();

    [Fact]
    public async Task The_same_files_elsewhere_and_at_other_times_give_the_same_digest()
    {
        Context.File("src/main.c", "int main;");
        Context.File("src/lib/util.c", "int util;");
        Context.Link("src/current", "lib/util.c");
        using var checkout = new Drydock.Tests.Context.TempTree();
        checkout.File("src/lib/util.c", "int util;");
        checkout.File("src/main.c", "int main;");
        checkout.Link("src/current", "lib/util.c");
        File.SetLastWriteTimeUtc(checkout.In("src/main.c"), DateTime.UtcNow.AddDays(-3));

        var here = await DigestAsync("COPY src /app/");
        var there = await new SourceDigester().DigestCopyAsync(CopyScenario.Parse<CopyInstruction>("COPY src /app/"), new FileSource(checkout.Root, DockerIgnore.Empty), CancellationToken.None);

        Assert.Equal(here.Digest, there.Digest);
        Assert.Equal(here.Files, there.Files);
        Assert.Equal(["src", "src/current", "src/lib", "src/lib/util.c", "src/main.c"], here.Files.Select(f => f.Path));
    }

    [Fact]
    public async Task Touching_a_file_keeps_the_digest()
    {
        var main = Context.File("src/main.c", "int main;");
        var before = await DigestAsync("COPY src /app/");

        File.SetLastWriteTimeUtc(main, DateTime.UtcNow.AddHours(1));
        File.SetLastAccessTimeUtc(main, DateTime.UtcNow.AddHours(2));

        Assert.Equal(before.Digest, (await DigestAsync("COPY src /app/")).Digest);
    }

    [Fact]
    public async Task New_content_changes_the_digest_and_names_the_file()
    {
        var main = Context.File("src/main.c", "int main;");
        Context.File("src/other.c", "int other;");
        var before = await DigestAsync("COPY src /app/");

        File.WriteAllText(main, "int main2;");

        await AssertChangedAsync(before, "COPY src /app/", "src/main.c changed");
    }

    [Fact]
    public async Task Mode_bits_change_the_digest()
    {
        var tool = Context.File("bin/tool", "#!/bin/sh");
        var before = await DigestAsync("COPY bin /bin/");

        File.SetUnixFileMode(tool, (UnixFileMode)0b111_101_101);
        var executable = await AssertChangedAsync(before, "COPY bin /bin/", "bin/tool changed");

        File.SetUnixFileMode(tool, UnixFileMode.SetUser | (UnixFileMode)0b111_101_101);
        await AssertChangedAsync(executable, "COPY bin /bin/", "bin/tool changed");
    }

    [Fact]
    public async Task A_new_link_target_changes_the_digest()
    {
        Context.File("etc/a.conf");
        Context.File("etc/b.conf");
        var link = Context.Link("etc/current", "a.conf");
        var before = await DigestAsync("COPY etc /etc/");

        File.Delete(link);
        Context.Link("etc/current", "b.conf");

        await AssertChangedAsync(before, "COPY etc /etc/", "etc/current changed");
    }

    [Fact]
    public async Task A_new_file_changes_the_digest_and_is_named_added()
    {
        Context.File("docs/index.md", "# Index");
        var before = await DigestAsync("COPY . /site/");

        Context.File("docs/new.md", "# New");

        await AssertChangedAsync(before, "COPY . /site/", "docs/new.md added");
    }

    [RootFact]
    public async Task An_extended_attribute_the_copy_keeps_changes_the_digest()
    {
        var file = Context.File("bin/ping", "ping");
        var before = await DigestAsync("COPY bin /bin/");

        NativeFiles.SetXattr(file, "trusted.capability-test", Encoding.ASCII.GetBytes("cap_net_raw"));

        await AssertChangedAsync(before, "COPY bin /bin/", "bin/ping changed");
    }

    [RootFact]
    public async Task Owners_count_only_where_the_copy_keeps_them()
    {
        var file = Context.File("app/run", "run");
        var fromStage = CopyScenario.Parse<CopyInstruction>("COPY --from=builder app /app/");
        var source = FileSource.ForRootfs(Context.Root);
        var context = await DigestAsync("COPY app /app/");
        var stage = await _digester.DigestCopyAsync(fromStage, source, CancellationToken.None);

        NativeFiles.Lchown(file, 1000, 1000);

        Assert.Equal(context.Digest, (await DigestAsync("COPY app /app/")).Digest);
        Assert.NotEqual(stage.Digest, (await _digester.DigestCopyAsync(fromStage, source, CancellationToken.None)).Digest);
    }

    [Fact]
    public async Task Ignored_and_excluded_files_do_not_count()
    {
        Context.File("src/main.c", "int main;");
        var log = Context.File("src/debug.log", "1");
        var generated = Context.File("src/gen/out.o", "1");
        _scenario.Ignore = DockerIgnore.Parse("**/*.log");
        const string Line = "COPY --exclude=gen src /app/";
        var before = await DigestAsync(Line);

        File.WriteAllText(log, "2");
        File.WriteAllText(generated, "2");
        Context.File("src/gen/more.o", "2");

        Assert.Equal(before.Digest, (await DigestAsync(Line)).Digest);
        Assert.Equal(["src", "src/main.c"], before.Files.Select(f => f.Path));
    }

    [Fact]
    public async Task An_excluded_file_source_does_not_count()
    {
        Context.File("home.txt", "1");
        Context.File("house.md", "1");

        var digest = await DigestAsync("COPY --exclude=*.txt ho* /dir/");

        Assert.Equal(["house.md"], digest.Files.Select(f => f.Path));
    }

    [RootFact]
    public async Task Wildcard_sources_digest_what_the_copy_writes()
    {
        Context.File("a.txt", "a");
        Context.File("b.txt", "b");
        Context.File("c.md", "c");
        Context.File("dir1/x", "x");
        Context.File("dir1/sub/y", "y");
        Context.File("dir2/z", "z");
        Context.File("dir2/skip.log", "z");
        _scenario.Ignore = DockerIgnore.Parse("*/*.log");
        const string Line = "COPY *.txt dir* /w/";

        var digest = await DigestAsync(Line);
        await _scenario.CopyAsync(Line);

        // Directory sources copy their content: the copy's names are the digest's below each source.
        Assert.Equal(["a.txt", "b.txt", "dir1", "dir1/sub", "dir1/sub/y", "dir1/x", "dir2", "dir2/z"], digest.Files.Select(f => f.Path).Order(StringComparer.Ordinal));
        Assert.Equal(["a.txt", "b.txt", "sub/", "sub/y", "x", "z"], _scenario.Listing("/w"));
    }

    [RootFact]
    public async Task Parents_sources_digest_what_the_copy_writes()
    {
        Context.File("src/a.txt");
        Context.File("src/x/b.txt");
        Context.File("src/x/y/c.txt");
        Context.File("src/x/y/d.md");
        Context.File("other/e.txt");
        const string Line = "COPY --parents src/**/*.txt /p/";

        var digest = await DigestAsync(Line);
        await _scenario.CopyAsync(Line);

        var copied = _scenario.Listing("/p").Select(p => p.TrimEnd('/'));
        Assert.Equal(copied, digest.Files.Skip(1).Select(f => f.Path).Order(StringComparer.Ordinal));
        Assert.Equal(".", digest.Files[0].Path);
    }

    [Fact]
    public async Task A_file_unchanged_since_it_was_read_is_not_read_again()
    {
        Context.File("src/a.c", "a");
        var b = Context.File("src/b.c", "b");
        await DigestAsync("COPY src /app/");
        Assert.Equal(2, _digester.FilesRead);

        // Another step copying the same files.
        await DigestAsync("COPY src/a.c src/b.c /other/");
        Assert.Equal(2, _digester.FilesRead);

        File.WriteAllText(b, "b2");
        await DigestAsync("COPY src /app/");
        Assert.Equal(3, _digester.FilesRead);
    }

    [Fact]
    public async Task A_large_file_is_streamed()
    {
        const int Size = 64 << 20;
        var path = Context.In("big.bin");
        WriteLarge(path, Size, last: 1);
        var first = await DigestAsync("COPY big.bin /");

        WriteLarge(path, Size, last: 2);
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var second = await DigestAsync("COPY big.bin /");
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;

        Assert.NotEqual(first.Digest, second.Digest);
        Assert.True(allocated < Size / 8, $"digesting a {Size >> 20} MiB file allocated {allocated >> 20} MiB");
    }

    private static void WriteLarge(string path, int size, byte last)
    {
        using var file = File.Create(path);
        var block = new byte[1 << 20];
        block.AsSpan().Fill(7);
        for (var written = 0; written < size; written += block.Length)
        {
            if (written + block.Length >= size)
            {
                block[^1] = last;
            }

            file.Write(block);
        }
    }

    private Task<SourceDigest> DigestAsync(string line) =>
        _digester.DigestCopyAsync(CopyScenario.Parse<CopyInstruction>(line), _scenario.ContextSource, CancellationToken.None);

    private async Task<SourceDigest> AssertChangedAsync(SourceDigest before, string line, string expected)
    {
        var after = await DigestAsync(line);
        Assert.NotEqual(before.Digest, after.Digest);
        Assert.Equal(expected, SourceChanges.Describe(before.Files, after.Files));
        return after;
    }
}
