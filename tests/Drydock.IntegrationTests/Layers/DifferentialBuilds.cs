using System.Collections.Concurrent;

namespace Drydock.IntegrationTests.Layers;

/// <summary>
/// Builds each Dockerfile of <see cref="DifferentialDockerfiles"/> once with Drydock and once with
/// buildah (vfs storage, chroot isolation), both from the same context, and unpacks both images
/// with umoci. buildah's storage lives on a tmpfs: it syncs every file it stores, which on disk
/// makes the 50,000-file build three times slower while proving nothing.
/// </summary>
public sealed class DifferentialBuilds : IAsyncLifetime
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    private readonly TempDirectory _work = new("drydock-differential-");
    private readonly ConcurrentDictionary<string, Lazy<Task<(string Drydock, string Buildah)>>> _builds = new(StringComparer.Ordinal);

    private string Storage => _work.Combine("buildah-storage");

    private string Context => _work.Combine("context");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Storage);
        await ToolRunner.RunCheckedAsync("mount", ["-t", "tmpfs", "-o", "size=6g,mode=0700", "tmpfs", Storage]);
        Directory.CreateDirectory(Context);
        File.Copy("/bin/busybox", Path.Combine(Context, "busybox"));
        foreach (var (name, text) in DifferentialDockerfiles.All)
        {
            await File.WriteAllTextAsync(Path.Combine(Context, "Dockerfile." + name), text);
        }
    }

    public async Task DisposeAsync()
    {
        // buildah leaves its storage mounted nowhere else; the tmpfs goes with everything in it.
        await ToolRunner.RunAsync("umount", [Storage]);
        _work.Dispose();
    }

    /// <summary>The unpacked root file systems of the Dockerfile's two builds.</summary>
    public Task<(string Drydock, string Buildah)> RootfsAsync(string name) =>
        _builds.GetOrAdd(name, n => new Lazy<Task<(string, string)>>(() => BuildBothAsync(n))).Value;

    private async Task<(string, string)> BuildBothAsync(string name)
    {
        // Side by side: both are mostly waiting on the disk.
        var drydock = BuildWithDrydockAsync(name);
        var buildah = BuildWithBuildahAsync(name);
        await Task.WhenAll(drydock, buildah);
        return (await drydock, await buildah);
    }

    private async Task<string> BuildWithDrydockAsync(string name)
    {
        var layout = _work.Combine("drydock-" + name);
        await ToolRunner.RunCheckedAsync(
            Path.Combine(AppContext.BaseDirectory, "drydock"),
            ["build", "--no-push", "-f", "Dockerfile." + name, "-t", $"localhost/differential:{name}", "--oci-layout-path", layout, Context],
            new ToolOptions { Timeout = BuildTimeout });
        return await UnpackAsync(layout, name, "drydock");
    }

    private async Task<string> BuildWithBuildahAsync(string name)
    {
        string[] storage = ["--root", Path.Combine(Storage, "root"), "--runroot", Path.Combine(Storage, "run"), "--storage-driver", "vfs"];
        var tag = $"localhost/differential:{name}";
        await ToolRunner.RunCheckedAsync(
            "buildah", [.. storage, "bud", "--isolation", "chroot", "-f", Path.Combine(Context, "Dockerfile." + name), "-t", tag, Context],
            new ToolOptions { Timeout = BuildTimeout });
        var layout = _work.Combine("buildah-" + name);

        // Uncompressed (-D): gzip would only cost time, umoci reads plain tar layers too.
        await ToolRunner.RunCheckedAsync("buildah", [.. storage, "push", "-D", tag, $"oci:{layout}:{name}"], new ToolOptions { Timeout = BuildTimeout });
        return await UnpackAsync(layout, name, "buildah");
    }

    private async Task<string> UnpackAsync(string layout, string tag, string builder)
    {
        var bundle = _work.Combine($"bundle-{builder}-{tag}");
        await ToolRunner.RunCheckedAsync("umoci", ["unpack", "--image", $"{layout}:{tag}", bundle], new ToolOptions { Timeout = BuildTimeout });
        return Path.Combine(bundle, "rootfs");
    }
}

[CollectionDefinition(Name)]
public sealed class DifferentialCollection : ICollectionFixture<DifferentialBuilds>
{
    public const string Name = "differential builds";
}
