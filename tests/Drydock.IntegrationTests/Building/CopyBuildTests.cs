namespace Drydock.IntegrationTests.Building;

/// <summary>COPY's flags and heredocs through the real CLI, checked in the image umoci unpacks.</summary>
public sealed class CopyBuildTests : IDisposable
{
    private const UnixFileMode Mode600 = (UnixFileMode)0b110_000_000;
    private const UnixFileMode Mode700 = (UnixFileMode)0b111_000_000;

    private readonly CopyBuild _build = new();

    public void Dispose() => _build.Dispose();

    [RootFact]
    public async Task Chmod_chown_parents_exclude_link_and_heredocs_end_to_end()
    {
        _build.File("app/bin/run.sh", "#!/bin/sh\n", Mode700);
        _build.File("app/lib/data.txt", "data", Mode600);
        _build.File("app/lib/skip.log", "log");
        _build.File("app/cache/big.tmp", "tmp");
        _build.File("src/a/b/c.txt", "c");
        _build.File("src/a/d.md", "d");
        _build.File("src/e.txt", "e");
        _build.File("conf/x.conf", "x");

        await _build.BuildAndUnpackAsync("""
            FROM scratch
            ARG USERNAME=drydock
            COPY --chmod=u=rwX,go=rX app /sym/
            COPY --chmod=0640 --chown=1000:1000 conf/x.conf /etc/x.conf
            COPY --exclude=**/*.log --exclude=cache app /excl/
            COPY --parents src/**/*.txt /par/
            COPY --parents src/./a/b/c.txt /pivot/
            COPY --link conf /linked/
            COPY <<EOF /etc/motd
            hello ${USERNAME}
            EOF
            COPY --chmod=755 <<'EOF' /usr/local/bin/tool
            #!/bin/sh
            echo "$USERNAME"
            EOF
            """);

        // Symbolic --chmod edits each entry's own mode: X only for directories and executables.
        Assert.Equal("755", _build.Mode("/sym/bin"));
        Assert.Equal("755", _build.Mode("/sym/bin/run.sh"));
        Assert.Equal("644", _build.Mode("/sym/lib/data.txt"));

        // Octal --chmod and --chown; the parent COPY created belongs to the --chown user too.
        Assert.Equal("640", _build.Mode("/etc/x.conf"));
        Assert.Equal("1000:1000", _build.Owner("/etc/x.conf"));
        Assert.Equal("1000:1000", _build.Owner("/etc"));
        Assert.Equal("755", _build.Mode("/etc"));

        Assert.Equal(["bin/", "bin/run.sh", "lib/", "lib/data.txt"], _build.Listing("/excl"));
        Assert.Equal("700", _build.Mode("/excl/bin/run.sh"));
        Assert.Equal(["src/", "src/a/", "src/a/b/", "src/a/b/c.txt", "src/e.txt"], _build.Listing("/par"));
        Assert.Equal(["a/", "a/b/", "a/b/c.txt"], _build.Listing("/pivot"));
        Assert.Equal(["x.conf"], _build.Listing("/linked"));

        Assert.Equal("hello drydock\n", _build.Read("/etc/motd"));
        Assert.Equal("644", _build.Mode("/etc/motd"));
        Assert.Equal("0:0", _build.Owner("/etc/motd"));
        Assert.Equal("#!/bin/sh\necho \"$USERNAME\"\n", _build.Read("/usr/local/bin/tool"));
        Assert.Equal("755", _build.Mode("/usr/local/bin/tool"));
    }

    [RootTheory]
    [InlineData("COPY --chmod=u+z a.txt /a", "COPY: invalid --chmod=u+z", "symbolic mode")]
    [InlineData("COPY missing.txt /a", "COPY: file not found in build context", "relative to the context root")]
    [InlineData("COPY ../outside.txt /a", "COPY: file not found in build context", "\"..\" cannot leave it")]
    [InlineData("COPY --parents nothing/*.txt /p/", "COPY: no source files were specified", "relative to the context root")]
    public async Task Copy_errors_name_the_line_and_a_fix(string instruction, string what, string hint)
    {
        _build.File("a.txt", "a");
        System.IO.File.WriteAllText(Path.Combine(Path.GetDirectoryName(_build.Context)!, "outside.txt"), "outside");

        var error = await _build.BuildFailsAsync($"FROM scratch\n{instruction}\n", "2:1: ");

        Assert.Contains(what, error);
        Assert.Contains(hint, error);
    }
}
