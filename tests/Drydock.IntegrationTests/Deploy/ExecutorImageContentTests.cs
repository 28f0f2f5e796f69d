using System.Text.Json.Nodes;
using Drydock.IntegrationTests.Building;

namespace Drydock.IntegrationTests.Deploy;

/// <summary>
/// The executor images as deploy/build-images.sh writes them, read with skopeo, umoci and readelf:
/// kaniko's layout and environment, everything the executor runs on under /kaniko, and the size.
/// </summary>
[Collection(ExecutorImages.Collection)]
public sealed class ExecutorImageContentTests(ExecutorImages images)
{
    // kaniko's deploy/Dockerfile: the executor's environment (and OPENSSL_CONF, so a base's openssl.cnf is never read), and the debug image's PATH.
    private static readonly string[] ExecutorEnvironment =
        ["HOME=/root", "USER=root", "PATH=/usr/local/bin:/kaniko", "SSL_CERT_DIR=/kaniko/ssl/certs", "OPENSSL_CONF=/kaniko/ssl/openssl.cnf", "DOCKER_CONFIG=/kaniko/.docker/"];

    [RootFact]
    public async Task BothImagesHaveKanikosEntrypointEnvironmentAndWorkdir()
    {
        var executor = await ConfigAsync(images.ExecutorLayout);
        Assert.Equal(["/kaniko/executor"], Strings(executor["Entrypoint"]));
        Assert.Null(executor["Cmd"]);
        Assert.Equal("/workspace", (string?)executor["WorkingDir"]);
        // Exactly these: no LD_LIBRARY_PATH or anything else of the executor's that a RUN could inherit.
        Assert.Equal(ExecutorEnvironment.Order(), Strings(executor["Env"]).Order());

        var debug = await ConfigAsync(images.DebugLayout);
        Assert.Equal(["/kaniko/executor"], Strings(debug["Entrypoint"]));
        Assert.Equal("/workspace", (string?)debug["WorkingDir"]);
        Assert.Equal(
            ExecutorEnvironment.Select(e => e.StartsWith("PATH=", StringComparison.Ordinal) ? "PATH=/usr/local/bin:/kaniko:/busybox" : e).Order(),
            Strings(debug["Env"]).Order());
        Assert.NotNull(debug["Volumes"]?["/busybox"]);
    }

    [RootFact]
    public async Task TheExecutorRunsOnlyOnWhatIsUnderKaniko()
    {
        using var temp = new TempDirectory();
        var image = await ImageInspector.UnpackLayoutAsync(images.ExecutorLayout, "latest", temp.Combine("bundle"));

        Assert.Equal(["etc", "kaniko", "tmp", "workspace"], Directory.EnumerateFileSystemEntries(image.Rootfs).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(Directory.Exists(image.HostPath("/kaniko/.docker")));
        Assert.Equal("777", Convert.ToString((await ImageInspector.StatAsync(image.HostPath("/kaniko"))).Mode, 8));
        Assert.Equal("1777", Convert.ToString((await ImageInspector.StatAsync(image.HostPath("/tmp"))).Mode, 8));
        Assert.True(File.Exists(image.HostPath("/kaniko/drydock-run")));
        // kaniko's warmer: the executor binary under the name that makes it `drydock warm`.
        Assert.Equal("executor", new FileInfo(image.HostPath("/kaniko/warmer")).LinkTarget);
        var certificates = await File.ReadAllTextAsync(image.HostPath("/kaniko/ssl/certs/ca-certificates.crt"));
        Assert.True(certificates.Split("BEGIN CERTIFICATE").Length > 50, "the CA bundle should hold Debian's roots");

        // The loader and the library path are /kaniko/lib's, whatever a base extracted over / brings.
        var executor = image.HostPath("/kaniko/executor");
        var header = await ToolRunner.RunCheckedAsync("readelf", ["-l", "-d", executor]);
        var loader = System.Text.RegularExpressions.Regex.Match(header.StandardOutput, @"Requesting program interpreter: (/\S+)\]").Groups[1].Value;
        Assert.StartsWith("/kaniko/lib/", loader, StringComparison.Ordinal);
        Assert.Contains("(RPATH)              Library rpath: [/kaniko/lib]", header.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("RUNPATH", header.StandardOutput, StringComparison.Ordinal);
        foreach (var library in new[] { Path.GetFileName(loader), "libc.so.6", "libm.so.6", "libssl.so.3", "libcrypto.so.3" })
        {
            Assert.True(File.Exists(image.HostPath("/kaniko/lib/" + library)), $"/kaniko/lib/{library} is missing");
        }

        // .NET's first probe for Drydock's "libc" imports, found here before any base's libc.so.
        Assert.Equal("libc.so.6", new FileInfo(image.HostPath("/kaniko/lib/libc.so")).LinkTarget);

        // Every library those need is there too (the loader lists what it would load, from RPATH or not at all).
        var needed = await ToolRunner.RunCheckedAsync("readelf", ["-d", .. Directory.GetFiles(image.HostPath("/kaniko/lib"))]);
        foreach (var name in System.Text.RegularExpressions.Regex.Matches(needed.StandardOutput, @"\(NEEDED\)\s+Shared library: \[(\S+)\]").Select(m => m.Groups[1].Value).Distinct())
        {
            Assert.True(File.Exists(image.HostPath("/kaniko/lib/" + name)), $"/kaniko/lib/{name} is needed but missing");
        }
    }

    [RootFact]
    public async Task TheDebugImageAddsAStaticBusyboxOnly()
    {
        using var temp = new TempDirectory();
        var image = await ImageInspector.UnpackLayoutAsync(images.DebugLayout, "latest", temp.Combine("bundle"));

        Assert.Equal(["bin", "busybox", "etc", "kaniko", "tmp", "workspace"], Directory.EnumerateFileSystemEntries(image.Rootfs).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("/busybox/sh", new FileInfo(image.HostPath("/bin/sh")).LinkTarget);
        Assert.Equal("/busybox/busybox", new FileInfo(image.HostPath("/busybox/sh")).LinkTarget);
        var header = await ToolRunner.RunCheckedAsync("readelf", ["-l", image.HostPath("/busybox/busybox")]);
        Assert.DoesNotContain("program interpreter", header.StandardOutput, StringComparison.Ordinal);
    }

    [RootFact]
    public void TheCompressedExecutorImageStaysUnder15MB()
    {
        // What a pull downloads: every blob of the layout (manifest, config, layers).
        var size = Directory.GetFiles(Path.Combine(images.ExecutorLayout, "blobs"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.InRange(size, 1_000_000, 15_000_000);
        if (images.Build is { } build)
        {
            Assert.Contains($"executor\t{images.ExecutorLayout}\t{size} bytes", build.StandardOutput, StringComparison.Ordinal);
        }
    }

    [RootFact]
    public async Task BuildImagesPushesBothImagesAsItsLayoutsHoldThem()
    {
        // Only when the fixture ran build-images.sh (with --push to its registry), not with prebuilt layouts.
        if (images.PushedRepository is not { } repository)
        {
            return;
        }

        foreach (var (image, layout) in new[] { ("executor", images.ExecutorLayout), ("debug", images.DebugLayout) })
        {
            var pushed = JsonNode.Parse((await ToolRunner.RunCheckedAsync("skopeo", ["inspect", "--tls-verify=false", $"docker://{repository}/{image}:latest"])).StandardOutput)!;
            Assert.Equal((await OciLayout.TaggedAsync(layout, "latest"))["digest"]!.GetValue<string>(), pushed["Digest"]!.GetValue<string>());
        }
    }

    private static async Task<JsonNode> ConfigAsync(string layout) =>
        JsonNode.Parse((await ToolRunner.RunCheckedAsync("skopeo", ["inspect", "--config", $"oci:{layout}:latest"])).StandardOutput)!["config"]!;

    private static string[] Strings(JsonNode? array) => [.. array!.AsArray().Select(s => s!.GetValue<string>())];
}
