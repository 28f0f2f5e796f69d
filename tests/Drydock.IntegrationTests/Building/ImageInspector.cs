using System.Globalization;
using System.Text.Json.Nodes;

namespace Drydock.IntegrationTests.Building;

/// <summary>A file's type, permission bits (with setuid/setgid/sticky) and numeric owner, as GNU stat reports them.</summary>
public sealed record FileStat(string Type, int Mode, int Uid, int Gid)
{
    public string Owner => $"{Uid}:{Gid}";

    public override string ToString() => $"{Type} {Convert.ToString(Mode, 8)} {Owner}";
}

/// <summary>
/// An image unpacked by umoci: the OCI layout skopeo wrote (<see cref="Layout"/>:<see cref="Tag"/>),
/// the bundle's rootfs and the runtime config umoci derived from the image config.
/// </summary>
public sealed record UnpackedImage(string Layout, string Tag, string Bundle, JsonNode RuntimeConfig)
{
    public string Rootfs => Path.Combine(Bundle, "rootfs");

    /// <summary>The host path of an image path (no link is followed: tests only stat and read).</summary>
    public string HostPath(string imagePath) => Path.Combine(Rootfs, imagePath.TrimStart('/'));
}

/// <summary>
/// Reads what Drydock produced with independent tools only: skopeo for the registry's view
/// (config, raw manifest, digest), skopeo + umoci to unpack, GNU stat and tar for files and layers.
/// </summary>
public sealed class ImageInspector(RegistryServer server)
{
    /// <summary>
    /// <c>skopeo inspect --config --raw</c>: the image config blob as the registry serves it (without
    /// --raw skopeo re-encodes it through the OCI struct, which drops Docker fields such as OnBuild).
    /// </summary>
    public async Task<JsonNode> ConfigAsync(string reference, CancellationToken cancellationToken = default) =>
        Parse(await SkopeoAsync(["inspect", "--config", "--raw", .. server.SkopeoArgs, $"docker://{reference}"], cancellationToken).ConfigureAwait(false));

    /// <summary><c>skopeo inspect --raw</c>: the manifest as the registry serves it.</summary>
    public async Task<JsonNode> ManifestAsync(string reference, CancellationToken cancellationToken = default) =>
        Parse(await SkopeoAsync(["inspect", "--raw", .. server.SkopeoArgs, $"docker://{reference}"], cancellationToken).ConfigureAwait(false));

    /// <summary>The manifest digest skopeo reports for a tag.</summary>
    public async Task<string> DigestAsync(string reference, CancellationToken cancellationToken = default) =>
        Parse(await SkopeoAsync(["inspect", .. server.SkopeoArgs, $"docker://{reference}"], cancellationToken).ConfigureAwait(false))["Digest"]!.GetValue<string>();

    /// <summary>Asserts that the registry has no manifest under <paramref name="reference"/> (nothing was pushed).</summary>
    public async Task AssertAbsentAsync(string reference, string because, CancellationToken cancellationToken = default)
    {
        var result = await ToolRunner.RunAsync("skopeo", ["inspect", "--raw", .. server.SkopeoArgs, $"docker://{reference}"], new ToolOptions { Secrets = server.Secrets }, cancellationToken).ConfigureAwait(false);
        Assert.False(result.Succeeded, $"{reference} exists, but {because}:\n{result.StandardOutput}");

        // Fail on the registry's "unknown", not on an unrelated error such as TLS or auth, which would prove nothing.
        Assert.True(result.StandardError.Contains("unknown", StringComparison.OrdinalIgnoreCase), $"skopeo failed for another reason than a missing manifest:\n{result}");
    }

    /// <summary>Asserts that no layer of an unpacked image's gzip layers holds <paramref name="secret"/> anywhere (names, contents, headers).</summary>
    public static async Task AssertInNoLayerAsync(UnpackedImage image, string secret)
    {
        var manifest = await LayoutManifestAsync(image.Layout, image.Tag).ConfigureAwait(false);
        foreach (var layer in manifest["layers"]!.AsArray())
        {
            var gzip = new System.IO.Compression.GZipStream(File.OpenRead(BlobPath(image.Layout, layer!["digest"]!.GetValue<string>())), System.IO.Compression.CompressionMode.Decompress);
            await using (gzip.ConfigureAwait(false))
            {
                using var text = new StreamReader(gzip);
                Assert.DoesNotContain(secret, await text.ReadToEndAsync().ConfigureAwait(false), StringComparison.Ordinal);
            }
        }
    }

    /// <summary>Copies the pushed image into a fresh OCI layout under <paramref name="workDirectory"/> and unpacks it with umoci.</summary>
    public async Task<UnpackedImage> UnpackAsync(string reference, string workDirectory, CancellationToken cancellationToken = default)
    {
        var layout = await CopyToLayoutAsync(reference, workDirectory, cancellationToken).ConfigureAwait(false);
        return await UnpackLayoutAsync(layout, "image", Path.Combine(workDirectory, "bundle"), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Copies the pushed image as it is into a fresh OCI layout (<c>WORK/layout</c>, tag <c>image</c>) and returns the layout's path.</summary>
    public async Task<string> CopyToLayoutAsync(string reference, string workDirectory, CancellationToken cancellationToken = default)
    {
        var layout = Path.Combine(workDirectory, "layout");
        await SkopeoAsync(["--insecure-policy", "copy", "--quiet", .. server.SkopeoSourceArgs, $"docker://{reference}", $"oci:{layout}:image"], cancellationToken).ConfigureAwait(false);
        return layout;
    }

    /// <summary>
    /// Unpacks the layers of a layout's image from <paramref name="skip"/> on, as the image of those
    /// layers alone (a tag <c>TAG-from-SKIP</c> added to the layout): for images whose first layers
    /// umoci cannot unpack, or not without writing a sparse file dense.
    /// </summary>
    public static async Task<UnpackedImage> UnpackLayersFromAsync(string layout, string tag, int skip, string bundle, CancellationToken cancellationToken = default)
    {
        var manifest = await LayoutManifestAsync(layout, tag).ConfigureAwait(false);
        var config = await OciLayout.ReadJsonAsync(layout, manifest["config"]!["digest"]!.GetValue<string>()).ConfigureAwait(false);
        var diffIds = config["rootfs"]!["diff_ids"]!.AsArray();
        config["rootfs"]!["diff_ids"] = new JsonArray([.. diffIds.Skip(skip).Select(d => d!.DeepClone())]);
        config.AsObject().Remove("history"); // it would no longer match the layers
        var partTag = $"{tag}-from-{skip}";
        await OciLayout.WriteImageAsync(layout, partTag, config, manifest["layers"]!.AsArray().Skip(skip).Select(l => l!)).ConfigureAwait(false);
        return await UnpackLayoutAsync(layout, partTag, bundle, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>umoci unpack --image LAYOUT:TAG BUNDLE</c>, as root so owners are kept.</summary>
    public static async Task<UnpackedImage> UnpackLayoutAsync(string layout, string tag, string bundle, CancellationToken cancellationToken = default)
    {
        await ToolRunner.RunCheckedAsync("umoci", ["unpack", "--image", $"{layout}:{tag}", bundle], cancellationToken: cancellationToken).ConfigureAwait(false);
        var runtimeConfig = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(bundle, "config.json"), cancellationToken).ConfigureAwait(false))!;
        return new UnpackedImage(layout, tag, bundle, runtimeConfig);
    }

    /// <summary>The manifest a tag of an OCI layout points at.</summary>
    public static async Task<JsonNode> LayoutManifestAsync(string layout, string tag) =>
        await OciLayout.ReadJsonAsync(layout, (await OciLayout.TaggedAsync(layout, tag).ConfigureAwait(false))["digest"]!.GetValue<string>()).ConfigureAwait(false);

    /// <summary>The entry names of every layer of a layout's image, in manifest order (GNU tar, "./" and trailing "/" removed).</summary>
    public static async Task<IReadOnlyList<IReadOnlyList<string>>> LayerEntriesAsync(string layout, string tag, CancellationToken cancellationToken = default)
    {
        var manifest = await LayoutManifestAsync(layout, tag).ConfigureAwait(false);
        var layers = new List<IReadOnlyList<string>>();
        foreach (var layer in manifest["layers"]!.AsArray())
        {
            var listing = await ToolRunner.RunCheckedAsync("tar", ["-tzf", BlobPath(layout, layer!["digest"]!.GetValue<string>())], cancellationToken: cancellationToken).ConfigureAwait(false);
            layers.Add(listing.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(name => (name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name).TrimEnd('/'))
                .Where(name => name.Length > 0 && name != ".")
                .ToArray());
        }

        return layers;
    }

    public static string BlobPath(string layout, string digest) => OciLayout.BlobPath(layout, digest);

    /// <summary>lstat through GNU stat: never follows a link, so a symlink reports itself.</summary>
    public static async Task<FileStat> StatAsync(string path, CancellationToken cancellationToken = default)
    {
        var result = await ToolRunner.RunCheckedAsync("stat", ["-c", "%F|%a|%u|%g", path], cancellationToken: cancellationToken).ConfigureAwait(false);
        var fields = result.StandardOutput.Trim().Split('|');
        return new FileStat(fields[0], Convert.ToInt32(fields[1], 8), int.Parse(fields[2], CultureInfo.InvariantCulture), int.Parse(fields[3], CultureInfo.InvariantCulture));
    }

    /// <summary>Whether anything (even a dangling link or an empty file) is at the path.</summary>
    public static bool Exists(string path) => Path.Exists(path) || new FileInfo(path).LinkTarget is not null;

    /// <summary>
    /// Runs the image's command (umoci's process.args, i.e. Entrypoint + Cmd) in the unpacked rootfs
    /// with <c>chroot --userspec</c>, the image's user and exactly the image's environment.
    /// </summary>
    /// <remarks>
    /// coreutils chroot always changes to "/" in the new root, so for another working directory the
    /// image's own sh changes there first and then execs the command unchanged.
    /// </remarks>
    public static async Task<ToolResult> RunCommandAsync(UnpackedImage image, CancellationToken cancellationToken = default)
    {
        var process = image.RuntimeConfig["process"]!;
        var args = process["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray();
        var env = process["env"]!.AsArray().Select(e => e!.GetValue<string>()).ToArray();
        var cwd = process["cwd"]?.GetValue<string>() ?? "/";
        var uid = process["user"]!["uid"]!.GetValue<int>();
        var gid = process["user"]!["gid"]!.GetValue<int>();
        var chroot = File.Exists("/usr/sbin/chroot") ? "/usr/sbin/chroot" : "/sbin/chroot";
        string[] command = cwd == "/" ? args : ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", cwd, .. args];

        // env -i: the command sees the image's Env only, never the test host's.
        return await ToolRunner.RunAsync("env", ["-i", .. env, chroot, $"--userspec={uid}:{gid}", image.Rootfs, .. command], cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> SkopeoAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        (await ToolRunner.RunCheckedAsync("skopeo", arguments, new ToolOptions { Secrets = server.Secrets }, cancellationToken).ConfigureAwait(false)).StandardOutput;

    private static JsonNode Parse(string json) => JsonNode.Parse(json) ?? throw new InvalidOperationException("skopeo printed null");
}
