using System.Collections.Concurrent;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>
/// A busybox base image for linux/amd64 and linux/arm64 whose binaries really are for those CPUs:
/// the host's busybox-static for amd64, Debian's arm64 busybox-static for arm64 (the package
/// scripts/install-deps.sh caches). Built with umoci and pushed with skopeo, never with Drydock.
/// RUN on the arm64 image needs the qemu-aarch64 binfmt entry that install-deps.sh enables.
/// </summary>
public static class TwoPlatformBase
{
    /// <summary>Where scripts/install-deps.sh leaves the arm64 busybox-static package.</summary>
    public const string Arm64BusyboxDeb = "/var/cache/drydock-tests/busybox-static_arm64.deb";

    private const string IndexTag = "two-platforms";

    private static readonly Lazy<Task<string>> Layout = new(BuildLayoutAsync);
    private static readonly ConcurrentDictionary<string, Lazy<Task<SeededImage>>> Seeded = new();

    /// <summary>
    /// Copies the index with both images into <paramref name="server"/> (<c>skopeo copy --all</c>,
    /// with <c>--format v2s2</c> a Docker manifest list of Docker manifests), once per repository and format.
    /// </summary>
    public static Task<SeededImage> SeedAsync(RegistryServer server, string repository = "two-platforms", SeedFormat format = SeedFormat.Oci) =>
        Seeded.GetOrAdd($"{server.Host}/{repository}/{format}", _ => new Lazy<Task<SeededImage>>(() => CopyAsync(server, repository, format))).Value;

    private static async Task<SeededImage> CopyAsync(RegistryServer server, string repository, SeedFormat format) =>
        await BaseImages.CopyLayoutAsync(server, await Layout.Value, IndexTag, repository, "latest", format, all: true);

    private static async Task<string> BuildLayoutAsync()
    {
        if (!File.Exists(Arm64BusyboxDeb))
        {
            throw new InvalidOperationException($"{Arm64BusyboxDeb} is missing: run scripts/install-deps.sh (as root) first");
        }

        var root = RunScratch.NewDirectory("two-platforms-");
        var arm64Package = root.Combine("arm64-package");
        await ToolRunner.RunCheckedAsync("dpkg-deb", ["-x", Arm64BusyboxDeb, arm64Package]);

        var layout = root.Combine("layout");
        await ToolRunner.RunCheckedAsync("umoci", ["init", "--layout", layout]);
        (string Tag, string Architecture, string Busybox)[] images = [("amd64", "amd64", "/bin/busybox"), ("arm64", "arm64", Path.Combine(arm64Package, "bin", "busybox"))];
        foreach (var (tag, architecture, busybox) in images)
        {
            var image = $"{layout}:{tag}";
            var bundle = root.Combine("bundle-" + tag);
            await ToolRunner.RunCheckedAsync("umoci", ["new", "--image", image]);
            await ToolRunner.RunCheckedAsync("umoci", ["unpack", "--image", image, bundle]);
            await BaseImages.PopulateRootfsAsync(Path.Combine(bundle, "rootfs"), busybox);
            await ToolRunner.RunCheckedAsync("umoci", ["repack", "--image", image, bundle]);
            await ToolRunner.RunCheckedAsync("umoci", [
                "config", "--image", image,
                "--config.cmd", "sh",
                "--config.env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "--os", "linux", "--architecture", architecture,
                "--history.created_by", $"drydock test fixture: {architecture} busybox-static rootfs"]);
        }

        await BaseImages.AddIndexAsync(layout, IndexTag, [.. images.Select(i => (i.Tag, i.Architecture, (string?)null))]);
        return layout;
    }
}
