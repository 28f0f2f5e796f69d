using Drydock.Native;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// A COPY/ADD end-to-end run: a build context written by the test, the real <c>drydock</c>
/// command building it into an OCI layout (no registry, no push), and umoci, an independent
/// tool, unpacking the result as root so modes, owners and times can be checked on disk.
/// </summary>
internal sealed class CopyBuild : IDisposable
{
    private const string Tag = "it";

    private readonly TempDirectory _work = new("drydock-copy-it-");

    public CopyBuild()
    {
        Directory.CreateDirectory(Context);
    }

    public string Context => _work.Combine("context");

    /// <summary>Where umoci unpacked the image (after <see cref="BuildAndUnpackAsync"/>).</summary>
    public string Rootfs => _work.Combine("bundle", "rootfs");

    private string Layout => _work.Combine("layout");

    /// <summary>Writes a context file (parents created) with an explicit mode, so no umask decides what COPY sees.</summary>
    public string File(string relativePath, string content, UnixFileMode mode = (UnixFileMode)0b110_100_100)
    {
        var path = Path.Combine(Context, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        System.IO.File.SetUnixFileMode(path, mode);
        return path;
    }

    /// <summary>
    /// Runs <c>drydock build --no-push --oci-layout-path … [ARGUMENTS] CONTEXT</c> with the
    /// Dockerfile given (<paramref name="arguments"/>: e.g. a base image's registry and build args).
    /// </summary>
    public Task<ToolResult> BuildAsync(string dockerfile, params IEnumerable<string> arguments)
    {
        System.IO.File.WriteAllText(Path.Combine(Context, "Dockerfile"), dockerfile);
        var drydock = Path.Combine(AppContext.BaseDirectory, "drydock");
        return ToolRunner.RunAsync(
            drydock,
            ["build", "--no-push", "-t", "drydock-test/copy:" + Tag, "--oci-layout-path", Layout, .. arguments, Context],
            new ToolOptions
            {
                Timeout = TimeSpan.FromMinutes(2),

                // Downloads go to loopback servers the tests start; no proxy may stand in between.
                Environment = new Dictionary<string, string?> { ["no_proxy"] = "127.0.0.1", ["NO_PROXY"] = "127.0.0.1" },
            });
    }

    /// <summary>Builds, asserts success, and unpacks the image with umoci.</summary>
    public async Task BuildAndUnpackAsync(string dockerfile, params IEnumerable<string> arguments)
    {
        var result = await BuildAsync(dockerfile, arguments);
        Assert.True(result.Succeeded, $"drydock failed:\n{result}");
        await ToolRunner.RunCheckedAsync("umoci", ["unpack", "--image", $"{Layout}:{Tag}", _work.Combine("bundle")]);
    }

    /// <summary>Asserts that the build failed with a message placed at a Dockerfile line, and returns its error text.</summary>
    public async Task<string> BuildFailsAsync(string dockerfile, string where)
    {
        var result = await BuildAsync(dockerfile);
        Assert.False(result.Succeeded, $"drydock should have failed:\n{result}");
        Assert.Contains($"Dockerfile:{where}", result.StandardError);
        return result.StandardError;
    }

    /// <summary>GNU tar's verbose listing (<c>tar -tvzf</c>) of each layer of the built image, in manifest order.</summary>
    public async Task<IReadOnlyList<string>> LayerListingsAsync()
    {
        var manifest = await ImageInspector.LayoutManifestAsync(Layout, Tag);
        var listings = new List<string>();
        foreach (var layer in manifest["layers"]!.AsArray())
        {
            var blob = ImageInspector.BlobPath(Layout, layer!["digest"]!.GetValue<string>());
            listings.Add((await ToolRunner.RunCheckedAsync("tar", ["-tvzf", blob])).StandardOutput);
        }

        return listings;
    }

    /// <summary>The host path of an image path in the unpacked rootfs.</summary>
    public string Image(string imagePath) => Path.Combine(Rootfs, imagePath.TrimStart('/'));

    public string Read(string imagePath) => System.IO.File.ReadAllText(Image(imagePath));

    /// <summary>Octal permission bits (with setuid, setgid, sticky) of an image path, never following a link.</summary>
    public string Mode(string imagePath) => Convert.ToString((int)NativeFiles.Lstat(Image(imagePath)).Permissions, 8);

    public string Owner(string imagePath)
    {
        var status = NativeFiles.Lstat(Image(imagePath));
        return $"{status.Uid}:{status.Gid}";
    }

    /// <summary>Everything below an image directory, as sorted relative paths (directories end with '/').</summary>
    public IReadOnlyList<string> Listing(string imagePath) => RootfsListing.Tree(Image(imagePath));

    public void Dispose() => _work.Dispose();
}
