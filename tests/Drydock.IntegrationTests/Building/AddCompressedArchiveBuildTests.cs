namespace Drydock.IntegrationTests.Building;

/// <summary>
/// ADD unpacks a local tar archive whatever its compression (none, gzip, bzip2, xz, zstd), told
/// by content and not by name, into the tree GNU tar extracts from the same archive.
/// </summary>
public sealed class AddCompressedArchiveBuildTests : IDisposable
{
    private static readonly (string Name, string Flag)[] Archives =
    [
        ("none.bin", ""), ("gzip.bin", "--gzip"), ("bzip2.bin", "--bzip2"), ("xz.bin", "--xz"), ("zstd.bin", "--zstd"),
    ];

    private readonly CopyBuild _build = new();
    private readonly TempDirectory _scratch = new("drydock-addz-");

    public void Dispose()
    {
        _build.Dispose();
        _scratch.Dispose();
    }

    [RootFact]
    public async Task Every_compression_unpacks_to_what_gnu_tar_extracts()
    {
        var staging = Staging();
        foreach (var (name, flag) in Archives)
        {
            string[] compression = flag.Length > 0 ? [flag] : [];
            await ToolRunner.RunCheckedAsync(
                "tar", [.. compression, "-C", staging, "--owner=1234", "--group=4321", "--numeric-owner", "-cf", Path.Combine(_build.Context, name), "."]);
        }

        await _build.BuildAndUnpackAsync("FROM scratch\n" + string.Join('\n', Archives.Select(a => $"ADD {a.Name} /{a.Name}/")) + "\n");

        foreach (var (name, _) in Archives)
        {
            var gnu = _scratch.Combine("gnu-" + name);
            Directory.CreateDirectory(gnu);
            await ToolRunner.RunCheckedAsync("tar", ["-C", gnu, "--same-owner", "--same-permissions", "-xf", Path.Combine(_build.Context, name)]);

            var differences = RootfsListing.Differences(RootfsListing.Of(_build.Image("/" + name)), RootfsListing.Of(gnu), "drydock", "GNU tar");
            Assert.True(differences.Count == 0, $"{name}:\n{string.Join('\n', differences)}");
            Assert.Equal("tool\n", _build.Read($"/{name}/bin/tool"));
        }
    }

    // Files, an executable with an odd mode, an empty directory, a symlink, a hardlink and a name longer than 100 bytes.
    private string Staging()
    {
        var staging = _scratch.Combine("staging");
        Directory.CreateDirectory(Path.Combine(staging, "bin"));
        Directory.CreateDirectory(Path.Combine(staging, "empty"));
        File.WriteAllText(Path.Combine(staging, "bin", "tool"), "tool\n");
        File.SetUnixFileMode(Path.Combine(staging, "bin", "tool"), (UnixFileMode)0b111_101_000);
        File.WriteAllText(Path.Combine(staging, "with space.txt"), new string('z', 100_000));
        var longDirectory = Path.Combine(staging, new string('d', 60), new string('e', 60));
        Directory.CreateDirectory(longDirectory);
        File.WriteAllText(Path.Combine(longDirectory, "long-name.txt"), "long\n");
        File.CreateSymbolicLink(Path.Combine(staging, "bin", "link"), "tool");
        Native.NativeFiles.Link(Path.Combine(staging, "bin", "tool"), Path.Combine(staging, "hard"));
        return staging;
    }
}
