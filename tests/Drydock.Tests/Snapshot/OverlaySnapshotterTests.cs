using Drydock.Layers;
using Drydock.Native;
using Drydock.Snapshot;
using Drydock.Tests.Layers;

namespace Drydock.Tests.Snapshot;

public sealed class OverlaySnapshotterTests : IAsyncLifetime
{
    private readonly TempDirectory _base = new("drydock-overlay-");
    private OverlaySnapshotter _snapshotter = null!;

    private string Rootfs => Path.Combine(_base, "rootfs");

    private string State => Path.Combine(_base, "overlay");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Rootfs + "/etc");
        File.WriteAllText(Rootfs + "/etc/config", "v1");
        Directory.CreateDirectory(Rootfs + "/var/lib/data");
        File.WriteAllText(Rootfs + "/var/lib/data/a", "a");
        File.WriteAllText(Rootfs + "/var/lib/data/b", "b");
        Directory.CreateDirectory(Rootfs + "/proc");
        _snapshotter = new OverlaySnapshotter(State, new SnapshotOptions { IgnoredPaths = ["/proc"] });
        if (OverlayTestSupport.Unavailable is null)
        {
            await _snapshotter.InitializeAsync(Rootfs, CancellationToken.None);
        }
    }

    public async Task DisposeAsync()
    {
        await _snapshotter.DisposeAsync();
        _base.Dispose();
    }

    [OverlayFact]
    public async Task A_step_runs_on_a_merged_mount_and_its_diff_comes_from_the_upper_directory()
    {
        var merged = await _snapshotter.PrepareStepAsync(CancellationToken.None);
        File.WriteAllText(merged + "/etc/config", "v2");
        File.WriteAllText(merged + "/etc/new", "n");
        File.Delete(merged + "/var/lib/data/a");

        Assert.Equal("v1", File.ReadAllText(Rootfs + "/etc/config")); // the lower directory is untouched while mounted
        var diff = await _snapshotter.SnapshotAsync(CancellationToken.None);

        Assert.Equal(["/etc", "/etc/config", "/etc/new", "/var/lib/data"], diff.Changed);
        Assert.Equal(["/var/lib/data/a"], diff.Deleted);
        Assert.Equal("v2", File.ReadAllText(Rootfs + "/etc/config"));
        Assert.Equal("n", File.ReadAllText(Rootfs + "/etc/new"));
        Assert.False(File.Exists(Rootfs + "/var/lib/data/a"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(merged));
    }

    [OverlayFact]
    public async Task A_recreated_directory_gives_explicit_deletions_of_what_it_hid()
    {
        var merged = await _snapshotter.PrepareStepAsync(CancellationToken.None);
        Directory.Delete(merged + "/var/lib/data", recursive: true);
        Directory.CreateDirectory(merged + "/var/lib/data");
        File.WriteAllText(merged + "/var/lib/data/a", "a2");
        Assert.True(OverlayMarkers.IsOpaque(State + "/upper/var/lib/data"));

        var diff = await _snapshotter.SnapshotAsync(CancellationToken.None);

        Assert.Equal(["/var/lib/data/b"], diff.Deleted);
        Assert.Contains("/var/lib/data/a", diff.Changed);
        Assert.Equal(["a"], Directory.GetFileSystemEntries(Rootfs + "/var/lib/data").Select(Path.GetFileName));
        Assert.DoesNotContain(NativeFiles.ListXattrs(Rootfs + "/var/lib/data"), OverlayMarkers.IsOverlayAttribute);
    }

    [OverlayFact]
    public async Task A_mount_made_on_a_pool_thread_is_seen_by_other_threads_and_child_processes()
    {
        var merged = await Task.Run(() => _snapshotter.PrepareStepAsync(CancellationToken.None));
        await Task.Run(() => File.WriteAllText(merged + "/etc/seen", "from a child"));

        var mountInfo = await Task.Run(() => File.ReadAllText("/proc/self/mountinfo"));
        var fromChild = await Tool.RunAsync("cat", merged + "/etc/config", merged + "/etc/seen");

        Assert.Contains(" " + merged + " ", mountInfo, StringComparison.Ordinal);
        Assert.Equal("v1from a child", fromChild);
    }

    [OverlayFact]
    public async Task Preparing_twice_gives_one_step_and_a_snapshot_without_a_step_is_empty()
    {
        Assert.True((await _snapshotter.SnapshotAsync(CancellationToken.None)).IsEmpty);

        var first = await _snapshotter.PrepareStepAsync(CancellationToken.None);
        File.WriteAllText(first + "/one", "1");
        var second = await _snapshotter.PrepareStepAsync(CancellationToken.None);
        File.WriteAllText(second + "/two", "2");

        Assert.Equal(first, second);
        Assert.Equal(["/one", "/two"], (await _snapshotter.SnapshotAsync(CancellationToken.None)).Changed);
    }

    [OverlayFact]
    public async Task Ignored_paths_are_merged_but_never_reported()
    {
        var merged = await _snapshotter.PrepareStepAsync(CancellationToken.None);
        File.WriteAllText(merged + "/proc/status", "x");
        File.WriteAllText(merged + "/etc/seen", "x");

        var diff = await _snapshotter.SnapshotAsync(CancellationToken.None);

        Assert.Equal(["/etc", "/etc/seen"], diff.Changed);
        Assert.True(File.Exists(Rootfs + "/proc/status"));
    }

    [OverlayFact]
    public async Task Disposing_an_open_step_unmounts_it_and_keeps_the_rootfs_as_last_snapshotted()
    {
        var merged = await _snapshotter.PrepareStepAsync(CancellationToken.None);
        File.WriteAllText(merged + "/etc/config", "failed step");

        await _snapshotter.DisposeAsync();

        Assert.DoesNotContain(" " + merged + " ", File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
        Assert.Equal("v1", File.ReadAllText(Rootfs + "/etc/config"));
        Assert.False(Directory.Exists(State));
    }

    [OverlayFact]
    public async Task More_steps_than_overlayfs_can_stack_lower_directories()
    {
        for (var step = 0; step < 510; step++)
        {
            var merged = await _snapshotter.PrepareStepAsync(CancellationToken.None);
            File.WriteAllText(merged + "/etc/config", step.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(["/etc/config"], (await _snapshotter.SnapshotAsync(CancellationToken.None)).Changed);
        }

        Assert.Equal("509", File.ReadAllText(Rootfs + "/etc/config"));
    }

    [OverlayFact]
    public async Task The_root_outside_or_on_another_file_system_is_refused()
    {
        await Assert.ThrowsAsync<NotSupportedException>(() => new OverlaySnapshotter(State + "2", SnapshotOptions.Default).InitializeAsync("/", CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => new OverlaySnapshotter(Rootfs + "/state", SnapshotOptions.Default).InitializeAsync(Rootfs, CancellationToken.None));
    }
}
