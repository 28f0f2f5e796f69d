using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Drydock.Reference;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>How a seeded image's manifest is written.</summary>
public enum SeedFormat
{
    /// <summary>OCI media types, as umoci wrote them.</summary>
    Oci,

    /// <summary>Docker v2 schema 2 media types (<c>skopeo copy --format v2s2</c>).</summary>
    DockerV2S2,
}

/// <summary>An image put into a registry by skopeo; <see cref="ManifestDigest"/> is what skopeo reported.</summary>
public sealed record SeededImage(ImageReference Reference, string ManifestDigest)
{
    public ImageReference ByDigest => ImageReference.Parse($"{Reference.Name}@{ManifestDigest}");
}

/// <summary>A multi-platform index put into a registry by skopeo, with the manifest digest of each platform.</summary>
public sealed record SeededIndex(ImageReference Reference, string IndexDigest, string Amd64ManifestDigest, string Arm64ManifestDigest);

/// <summary>
/// Base images made with independent tools only (busybox-static, umoci, skopeo), never with Drydock,
/// so Drydock's pull and build tests stand on ground it did not lay itself.
/// </summary>
/// <remarks>
/// The busybox image is FROM scratch: <c>/bin/busybox</c> with every applet linked (<c>/bin/sh</c>…),
/// <c>/etc/passwd</c> with <c>root</c> (0:0) and <c>app</c> (1000:1000, home <c>/home/app</c>),
/// <c>/etc/group</c>, <c>/etc/base-marker</c> (content <c>base\n</c>, for tests to delete),
/// <c>/tmp</c> (1777) and <c>/root</c>; config Cmd <c>["sh"]</c>, Env PATH, the host's
/// architecture. The layout is built once per test run and holds the tags in <see cref="LayoutTags"/>.
/// </remarks>
public static class BaseImages
{
    /// <summary>The tags of the shared OCI layout.</summary>
    public static class LayoutTags
    {
        /// <summary>The busybox image for the host's architecture.</summary>
        public const string Busybox = "busybox";

        /// <summary>The same layer with an amd64 config.</summary>
        public const string Amd64 = "busybox-amd64";

        /// <summary>The same layer with an arm64 config (the binary is the host's: for index selection, not for running).</summary>
        public const string Arm64 = "busybox-arm64";

        /// <summary>An OCI index of <see cref="Amd64"/> (linux/amd64) and <see cref="Arm64"/> (linux/arm64/v8).</summary>
        public const string Index = "multi";
    }

    public const string MarkerPath = "/etc/base-marker";

    public const string MarkerContent = "base\n";

    private static readonly Lazy<Task<string>> Layout = new(BuildLayoutAsync);
    private static readonly ConcurrentDictionary<string, Lazy<Task<SeededImage>>> SeededImages = new();
    private static readonly ConcurrentDictionary<string, Lazy<Task<SeededIndex>>> SeededIndexes = new();

    /// <summary>The path of the OCI layout (built on first use, deleted when the test process exits).</summary>
    public static Task<string> LayoutAsync() => Layout.Value;

    /// <summary>
    /// Copies the busybox image into <paramref name="server"/> with skopeo (once per server,
    /// repository, tag and format per run) and returns its reference and digest.
    /// </summary>
    public static Task<SeededImage> SeedBusyboxAsync(RegistryServer server, string repository = "busybox", string tag = "latest", SeedFormat format = SeedFormat.Oci) =>
        SeededImages.GetOrAdd($"{server.Host}/{repository}:{tag}/{format}", _ => new Lazy<Task<SeededImage>>(() => CopyAsync(server, LayoutTags.Busybox, repository, tag, format))).Value;

    /// <summary>Copies the amd64 + arm64 index into <paramref name="server"/> (<c>skopeo copy --all</c>).</summary>
    public static Task<SeededIndex> SeedMultiArchAsync(RegistryServer server, string repository = "multi", string tag = "latest") =>
        SeededIndexes.GetOrAdd($"{server.Host}/{repository}:{tag}", _ => new Lazy<Task<SeededIndex>>(() => CopyIndexAsync(server, repository, tag))).Value;

    /// <summary>The manifest digest a layout tag points at.</summary>
    public static async Task<string> LayoutDigestAsync(string tag) =>
        (await OciLayout.TaggedAsync(await LayoutAsync(), tag))["digest"]!.GetValue<string>();

    /// <summary>
    /// Copies a tag of an OCI layout into <paramref name="server"/> with skopeo (with
    /// <paramref name="all"/>, an index and every image in it) and returns the digest skopeo reported.
    /// </summary>
    internal static async Task<SeededImage> CopyLayoutAsync(RegistryServer server, string layout, string layoutTag, string repository, string tag, SeedFormat format = SeedFormat.Oci, bool all = false)
    {
        var reference = server.Reference($"{repository}:{tag}");
        using var temp = new TempDirectory("drydock-seed-");
        var digestFile = temp.Combine("digest");
        var args = new List<string> { "--insecure-policy", "copy", "--retry-times", "2", "--digestfile", digestFile };
        if (all)
        {
            args.Add("--all");
        }

        if (format == SeedFormat.DockerV2S2)
        {
            args.AddRange(["--format", "v2s2"]);
        }

        args.AddRange(server.SkopeoDestinationArgs);
        args.AddRange([$"oci:{layout}:{layoutTag}", $"docker://{reference}"]);
        await ToolRunner.RunCheckedAsync("skopeo", args, new ToolOptions { Secrets = server.Secrets });
        return new SeededImage(reference, (await File.ReadAllTextAsync(digestFile)).Trim());
    }

    private static async Task<SeededImage> CopyAsync(RegistryServer server, string layoutTag, string repository, string tag, SeedFormat format) =>
        await CopyLayoutAsync(server, await LayoutAsync(), layoutTag, repository, tag, format);

    private static async Task<SeededIndex> CopyIndexAsync(RegistryServer server, string repository, string tag)
    {
        var seeded = await CopyLayoutAsync(server, await LayoutAsync(), LayoutTags.Index, repository, tag, all: true);
        return new SeededIndex(seeded.Reference, seeded.ManifestDigest, await LayoutDigestAsync(LayoutTags.Amd64), await LayoutDigestAsync(LayoutTags.Arm64));
    }

    private static async Task<string> BuildLayoutAsync()
    {
        var root = RunScratch.NewDirectory("base-layout-").Path;

        var layout = Path.Combine(root, "layout");
        var bundle = Path.Combine(root, "bundle");
        var image = $"{layout}:{LayoutTags.Busybox}";
        await ToolRunner.RunCheckedAsync("umoci", ["init", "--layout", layout]);
        await ToolRunner.RunCheckedAsync("umoci", ["new", "--image", image]);
        await ToolRunner.RunCheckedAsync("umoci", ["unpack", "--image", image, bundle]);
        await PopulateRootfsAsync(Path.Combine(bundle, "rootfs"));
        await ToolRunner.RunCheckedAsync("umoci", ["repack", "--image", image, bundle]);
        await ToolRunner.RunCheckedAsync("umoci", [
            "config", "--image", image,
            "--config.cmd", "sh",
            "--config.env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "--os", "linux", "--architecture", Platform.Host.Architecture,
            "--history.created_by", "drydock test fixture: busybox-static rootfs"]);
        await ToolRunner.RunCheckedAsync("umoci", ["config", "--image", image, "--tag", LayoutTags.Amd64, "--architecture", "amd64"]);
        await ToolRunner.RunCheckedAsync("umoci", ["config", "--image", image, "--tag", LayoutTags.Arm64, "--architecture", "arm64"]);
        await AddIndexAsync(layout, LayoutTags.Index, [(LayoutTags.Amd64, "amd64", null), (LayoutTags.Arm64, "arm64", "v8")]);
        return layout;
    }

    /// <summary>
    /// Lays the rootfs out by hand (no chroot needed): <paramref name="busyboxBinary"/> (the host's
    /// unless told) with applet links from the host busybox's <c>--list-full</c>, passwd and group
    /// files appended to as Debian's busybox has no adduser.
    /// </summary>
    internal static async Task PopulateRootfsAsync(string rootfs, string busyboxBinary = "/bin/busybox")
    {
        foreach (var dir in new[] { "bin", "sbin", "usr/bin", "usr/sbin", "etc", "root", "home/app", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(rootfs, dir));
        }

        var busybox = Path.Combine(rootfs, "bin", "busybox");
        File.Copy(busyboxBinary, busybox);
        File.SetUnixFileMode(busybox, (UnixFileMode)0b111_101_101);
        var applets = (await ToolRunner.RunCheckedAsync("/bin/busybox", ["--list-full"])).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var applet in applets)
        {
            var link = Path.Combine(rootfs, applet);
            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            if (!File.Exists(link) && !Directory.Exists(link))
            {
                File.CreateSymbolicLink(link, "/bin/busybox");
            }
        }

        await File.WriteAllTextAsync(Path.Combine(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n");
        await File.WriteAllTextAsync(Path.Combine(rootfs, "etc/group"), "root:x:0:\napp:x:1000:\n");
        await File.WriteAllTextAsync(Path.Combine(rootfs, MarkerPath.TrimStart('/')), MarkerContent);
        File.SetUnixFileMode(Path.Combine(rootfs, "tmp"), (UnixFileMode)0b001_111_111_111);
        File.SetUnixFileMode(Path.Combine(rootfs, "root"), (UnixFileMode)0b111_000_000);

        // Owning /home/app needs root, which these machines give; elsewhere the image simply keeps 0:0 there.
        await ToolRunner.RunAsync("chown", ["1000:1000", Path.Combine(rootfs, "home/app")]);
    }

    /// <summary>Writes an OCI index of the tagged manifests, each with its platform, into the layout under <paramref name="indexTag"/>.</summary>
    internal static async Task AddIndexAsync(string layout, string indexTag, IReadOnlyList<(string Tag, string Architecture, string? Variant)> entries)
    {
        async Task<JsonNode> EntryAsync(string tag, string architecture, string? variant)
        {
            var source = await OciLayout.TaggedAsync(layout, tag);
            var platform = new JsonObject { ["architecture"] = architecture, ["os"] = "linux" };
            if (variant is not null)
            {
                platform["variant"] = variant;
            }

            return new JsonObject
            {
                ["mediaType"] = source["mediaType"]!.GetValue<string>(),
                ["digest"] = source["digest"]!.GetValue<string>(),
                ["size"] = source["size"]!.GetValue<long>(),
                ["platform"] = platform,
            };
        }

        var manifests = new JsonArray();
        foreach (var (tag, architecture, variant) in entries)
        {
            manifests.Add(await EntryAsync(tag, architecture, variant));
        }

        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciLayout.IndexMediaType,
            ["manifests"] = manifests,
        };
        await OciLayout.TagAsync(layout, indexTag, await OciLayout.WriteJsonBlobAsync(layout, OciLayout.IndexMediaType, index));
    }
}
