using System.Security.Cryptography;
using Drydock.Native;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// ADD through the real CLI: local archives made by GNU tar, downloads from a loopback
/// python3 http.server, checked in the image umoci unpacks.
/// </summary>
public sealed class AddBuildTests : IDisposable
{
    private static readonly DateTimeOffset RemoteTime = new(2020, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly CopyBuild _build = new();
    private readonly TempDirectory _www = new("drydock-www-");

    public void Dispose()
    {
        _build.Dispose();
        _www.Dispose();
    }

    [RootFact]
    public async Task Add_unpacks_local_archives_and_downloads_urls()
    {
        await PackAsync("app.tar.gz", "-czf");
        await PackAsync("app.tar", "-cf");
        _build.File("docs/a.txt", "a");
        _build.File("docs/b.md", "b");
        File.Copy(Path.Combine(_build.Context, "app.tar.gz"), _www.Combine("remote.tar.gz"));
        await File.WriteAllTextAsync(_www.Combine("remote.txt"), "remote data\n");
        File.SetLastWriteTimeUtc(_www.Combine("remote.txt"), RemoteTime.UtcDateTime);
        var checksum = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(_www.Combine("remote.txt"))));
        await using var server = await AddHttpServer.StartAsync(_www.Path);

        await _build.BuildAndUnpackAsync($"""
            FROM scratch
            ADD app.tar.gz /opt/app
            ADD --unpack=false app.tar /keep/
            ADD --exclude=*.md docs /docs/
            ADD {server.Url("remote.txt")} /dl/
            ADD --checksum={checksum} --chown=5:6 --chmod=640 {server.Url("remote.txt")} /dl/checked.txt
            ADD --unpack=true {server.Url("remote.tar.gz")} /remote-app/
            ADD {server.Url("remote.tar.gz")} /dl/
            """);

        // A local archive is unpacked with the owners and modes GNU tar recorded.
        Assert.Equal("tool\n", _build.Read("/opt/app/bin/tool"));
        Assert.Equal("750", _build.Mode("/opt/app/bin/tool"));
        Assert.Equal("1234:4321", _build.Owner("/opt/app/bin/tool"));
        Assert.Equal("755", _build.Mode("/opt/app"));
        Assert.Equal(["app.tar"], _build.Listing("/keep"));
        Assert.Equal(["a.txt"], _build.Listing("/docs"));

        // A download is 0600, dated by Last-Modified, named after the URL; --chmod/--chown apply.
        Assert.Equal("remote data\n", _build.Read("/dl/remote.txt"));
        Assert.Equal("600", _build.Mode("/dl/remote.txt"));
        Assert.Equal("0:0", _build.Owner("/dl/remote.txt"));
        Assert.Equal(RemoteTime, NativeFiles.Lstat(_build.Image("/dl/remote.txt")).ModificationTime.ToDateTimeOffset());
        Assert.Equal("640", _build.Mode("/dl/checked.txt"));
        Assert.Equal("5:6", _build.Owner("/dl/checked.txt"));

        // A remote archive is unpacked only when asked to.
        Assert.Equal("tool\n", _build.Read("/remote-app/bin/tool"));
        Assert.Equal("600", _build.Mode("/dl/remote.tar.gz"));
    }

    [RootFact]
    public async Task A_checksum_mismatch_fails_the_build_and_nothing_is_saved()
    {
        await File.WriteAllTextAsync(_www.Combine("remote.txt"), "changed\n");
        await using var server = await AddHttpServer.StartAsync(_www.Path);

        var error = await _build.BuildFailsAsync(
            $"FROM scratch\nADD --checksum=sha256:{new string('0', 64)} {server.Url("remote.txt")} /dl/\n", "2:1: ADD: ");

        Assert.Contains("checksum mismatch", error);
        Assert.Contains("update --checksum", error);
        Assert.False(File.Exists(Path.Combine(_build.Context, "..", "layout", "index.json")));
    }

    [RootFact]
    public async Task An_unreachable_url_fails_the_build_with_a_hint()
    {
        using var closed = new RefusingPort();
        var port = closed.Port;

        var error = await _build.BuildFailsAsync($"FROM scratch\nADD http://127.0.0.1:{port}/file /dl/\n", "2:1: ADD: ");

        Assert.Contains($"cannot download http://127.0.0.1:{port}/file", error);
        Assert.Contains("check the address", error);
    }

    // GNU tar packs bin/tool (0750, owned by 1234:4321) with a "./" entry of mode 0700.
    private async Task PackAsync(string archive, string flags)
    {
        var staging = _www.Combine("staging-" + archive);
        Directory.CreateDirectory(Path.Combine(staging, "bin"));
        await File.WriteAllTextAsync(Path.Combine(staging, "bin", "tool"), "tool\n");
        File.SetUnixFileMode(Path.Combine(staging, "bin", "tool"), (UnixFileMode)0b111_101_000);
        File.SetUnixFileMode(staging, (UnixFileMode)0b111_000_000);
        await ToolRunner.RunCheckedAsync("tar", ["-C", staging, "--owner=1234", "--group=4321", "--numeric-owner", flags, Path.Combine(_build.Context, archive), "."]);
    }
}
