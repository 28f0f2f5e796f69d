using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Drydock.IntegrationTests.Building;

namespace Drydock.IntegrationTests.Deploy;

/// <summary>
/// The executor images run as a CI runner or a Kubernetes node runs kaniko's: podman, root in the
/// container with Docker's 14 capabilities and default seccomp, no --privileged. The builds here are
/// COPY-only: a RUN in such a container needs the in-place isolation.
/// </summary>
[Collection(ExecutorImages.Collection)]
public sealed partial class ExecutorInPodmanTests(ExecutorImages images, AuthRegistry authRegistry, TlsRegistry tlsRegistry)
    : IClassFixture<AuthRegistry>, IClassFixture<TlsRegistry>
{
    private const string AdditionalBundle = "/kaniko/ssl/certs/additional-ca-cert-bundle.crt";

    [RootFact]
    public async Task ExecutorVersionAnswersInBothImages()
    {
        var executor = (await images.Podman.RunAsync(images.Executor, entrypoint: null, ["version"])).EnsureSuccess();
        Assert.Matches(VersionLine(), executor.StandardOutput);

        // Through the debug image's PATH, as a CI script calls it, and by its full path.
        var debug = (await images.Podman.RunAsync(images.Debug, entrypoint: [], ["sh", "-c", "executor version && /kaniko/executor version"])).EnsureSuccess();
        Assert.Equal(2, VersionLine().Matches(debug.StandardOutput).Count);

        // The containers' overlay mounts lived in podman's private mount namespace: none is left here.
        var mounts = await File.ReadAllTextAsync("/proc/self/mountinfo");
        Assert.DoesNotContain(images.Podman.StateDirectory, mounts, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task ThePlainExecutorBuildsAndPushesWithArgumentsAndAMountedConfigAsAKubernetesJobDoes()
    {
        var registry = authRegistry;
        using var context = new TempDirectory();
        var destination = await ProjectAsync(registry, context);
        using var dockerConfig = new TempDirectory();
        registry.WriteDockerConfig(dockerConfig);

        // A pod's volumes: the context, the credentials Secret at /kaniko/.docker, a CA from a ConfigMap.
        var run = await images.Podman.RunAsync(
            images.Executor,
            entrypoint: null,
            ["--context", "dir:///workspace", "--dockerfile", "/workspace/Dockerfile", "--destination", destination],
            volumes: [new(context, "/workspace", ReadOnly: true), new(dockerConfig, "/kaniko/.docker", ReadOnly: true), new(registry.CaCertificatePath!, AdditionalBundle, ReadOnly: true)]);
        Assert.True(run.Succeeded, run.ToString());

        await AssertPushedAsync(registry, destination);
    }

    [RootFact]
    public async Task ACaBundleAppendedToTheAdditionalBundleIsTrustedAsGitLabDocuments()
    {
        var registry = tlsRegistry;
        using var context = new TempDirectory();
        var destination = await ProjectAsync(registry, context);
        using var ca = new TempDirectory();
        File.Copy(registry.CaCertificatePath!, ca.Combine("ca.crt"));
        const string Build = """/kaniko/executor --context "$CI_PROJECT_DIR" --dockerfile "$CI_PROJECT_DIR/Dockerfile" --destination "$DESTINATION" """;
        var environment = new Dictionary<string, string> { ["CI_PROJECT_DIR"] = "/builds/group/project", ["DESTINATION"] = destination };
        Volume[] volumes = [new(context, "/builds/group/project"), new(ca, "/ca", ReadOnly: true)];

        // Without it the registry's certificate is untrusted: the test would pass for no reason otherwise.
        var untrusted = await images.Podman.RunAsync(images.Debug, entrypoint: [], ["sh", "-c", Build], environment, volumes);
        Assert.False(untrusted.Succeeded, untrusted.ToString());

        var trusted = await images.Podman.RunAsync(images.Debug, entrypoint: [], ["sh", "-c", $"cat /ca/ca.crt >> {AdditionalBundle} && {Build}"], environment, volumes);
        Assert.True(trusted.Succeeded, trusted.ToString());
        await AssertPushedAsync(registry, destination);
    }

    [RootFact]
    public async Task TheExecutorIgnoresTheLibrariesAndCertificatesABaseBringsToSlashLibAndSlashEtc()
    {
        // The executor image with a root like a foreign base extracted over it: a busybox, and a
        // loader, libc, libssl, CA bundle and linker cache in every usual place, all of them garbage.
        using var temp = new TempDirectory();
        var layout = temp.Combine("layout");
        CopyDirectory(images.ExecutorLayout, layout);
        var root = Directory.CreateDirectory(temp.Combine("root")).FullName;
        var multiarch = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        foreach (var directory in new[] { "lib", "lib64", "usr/lib", $"lib/{multiarch}", $"usr/lib/{multiarch}", "usr/lib/ssl" })
        {
            foreach (var name in new[] { "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "libc.so.6", "libm.so.6", "libssl.so.3", "libcrypto.so.3", "openssl.cnf" })
            {
                WriteGarbage(Path.Combine(root, directory, name));
            }
        }

        foreach (var file in new[] { "etc/ld.so.cache", "etc/ssl/certs/ca-certificates.crt", "etc/ssl/openssl.cnf" })
        {
            WriteGarbage(Path.Combine(root, file));
        }

        Directory.CreateDirectory(Path.Combine(root, "bin"));
        File.Copy("/bin/busybox", Path.Combine(root, "bin", "busybox"));
        var tar = temp.Combine("root.tar");
        await ToolRunner.RunCheckedAsync("tar", ["-C", root, "--owner=0", "--group=0", "-cf", tar, "."]);
        var (layer, diffId) = await OciLayout.WriteGzipLayerAsync(layout, tar);
        var manifest = await ImageInspector.LayoutManifestAsync(layout, "latest");
        var config = await OciLayout.ReadJsonAsync(layout, manifest["config"]!["digest"]!.GetValue<string>());
        config["rootfs"]!["diff_ids"]!.AsArray().Add(diffId);
        config.AsObject().Remove("history");
        await OciLayout.WriteImageAsync(layout, "hostile", config, [.. manifest["layers"]!.AsArray().Select(l => l!), layer]);
        var image = await images.Podman.LoadOciLayoutAsync(layout, "hostile");

        var registry = tlsRegistry;
        using var context = new TempDirectory();
        var destination = await ProjectAsync(registry, context);
        var run = await images.Podman.RunAsync(
            image,
            entrypoint: null,
            ["--context", "dir:///workspace", "--destination", destination],
            volumes: [new(context, "/workspace", ReadOnly: true), new(registry.CaCertificatePath!, AdditionalBundle, ReadOnly: true)]);
        Assert.True(run.Succeeded, run.ToString());
        await AssertPushedAsync(registry, destination);
    }

    [RootFact]
    public async Task TheWarmerFillsACacheDirectoryThatTheExecutorBuildsFromWithTheRegistryStopped()
    {
        // A registry of this test's own: it is stopped halfway.
        var registry = await RegistryServer.StartAsync(RegistryMode.Http);
        try
        {
            using var context = new TempDirectory();
            using var cache = new TempDirectory();
            using var output = new TempDirectory();
            var destination = await ProjectAsync(registry, context);
            var baseImage = await BaseImages.SeedBusyboxAsync(registry);

            var warm = await images.Podman.RunAsync(
                images.Executor, entrypoint: ["/kaniko/warmer"], ["--image", baseImage.Reference.ToString(), "--cache-dir", "/cache", "--insecure-pull"], volumes: [new(cache, "/cache")]);
            Assert.True(warm.Succeeded, warm.ToString());

            await registry.StopAsync();
            var build = await images.Podman.RunAsync(
                images.Executor,
                entrypoint: null,
                ["--context", "dir:///workspace", "--cache-dir", "/cache", "--insecure-pull", "--no-push", "--destination", destination, "--tar-path", "/out/image.tar"],
                volumes: [new(context, "/workspace", ReadOnly: true), new(cache, "/cache"), new(output, "/out")]);
            Assert.True(build.Succeeded, build.ToString());
            Assert.Contains($"Using base image {baseImage.Reference} from the cache directory /cache", build.StandardError, StringComparison.Ordinal);

            using var temp = new TempDirectory();
            await ToolRunner.RunCheckedAsync("skopeo", ["--insecure-policy", "copy", "--quiet", $"docker-archive:{output.Combine("image.tar")}", $"oci:{temp.Combine("layout")}:t"]);
            var image = await ImageInspector.UnpackLayoutAsync(temp.Combine("layout"), "t", temp.Combine("bundle"));
            Assert.Equal("hello from the executor image\n", await File.ReadAllTextAsync(image.HostPath("/hello.txt")));
            Assert.True(File.Exists(image.HostPath(BaseImages.MarkerPath)), "the base's files are missing");
        }
        finally
        {
            await registry.DisposeAsync();
        }
    }

    /// <summary>Writes a project with a COPY-only Dockerfile on the registry's busybox into <paramref name="context"/>; returns where to push it.</summary>
    private static async Task<string> ProjectAsync(RegistryServer registry, TempDirectory context)
    {
        var baseImage = await BaseImages.SeedBusyboxAsync(registry);
        await File.WriteAllTextAsync(context.Combine("Dockerfile"), $"FROM {baseImage.Reference}\nCOPY hello.txt /hello.txt\n");
        await File.WriteAllTextAsync(context.Combine("hello.txt"), "hello from the executor image\n");
        return $"{registry.Host}/{RegistryServer.NewRepository("executor")}:built";
    }

    /// <summary>The pushed image holds the copied file, neither /kaniko nor the project, and no password in any layer.</summary>
    private static async Task AssertPushedAsync(RegistryServer registry, string destination)
    {
        using var temp = new TempDirectory();
        var image = await new ImageInspector(registry).UnpackAsync(destination, temp);
        Assert.Equal("hello from the executor image\n", await File.ReadAllTextAsync(image.HostPath("/hello.txt")));
        Assert.False(ImageInspector.Exists(image.HostPath("/kaniko")), "/kaniko is in the image");
        Assert.False(ImageInspector.Exists(image.HostPath("/workspace")), "the project directory is in the image");
        Assert.True(File.Exists(image.HostPath(BaseImages.MarkerPath)), "the base's files are missing");
        if (registry.Password is { } password)
        {
            await ImageInspector.AssertInNoLayerAsync(image, password);
        }
    }

    private static void WriteGarbage(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "not what the executor may load\n");
    }

    private static void CopyDirectory(string source, string destination)
    {
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [GeneratedRegex(@"^Drydock version: \S+ \(kaniko-compatible executor\)$", RegexOptions.Multiline)]
    private static partial Regex VersionLine();
}
