using System.Net;
using System.Text.Json.Nodes;

namespace Drydock.IntegrationTests.Registry;

/// <summary>`drydock image inspect|copy` run as a process, with the registry flags a script would pass.</summary>
[Collection(RegistryCollections.Http)]
public sealed class ImageCommandTests(HttpRegistry server)
{
    [RootFact]
    public async Task Inspect_prints_the_digest_manifest_and_config_of_the_platform_picked_from_an_index()
    {
        var seeded = await BaseImages.SeedMultiArchAsync(server);

        var result = await DrydockRunner.RunAsync(DrydockRunner.ExecutablePath, ["image", "inspect", "--insecure-registry", server.Host, "--platform", "linux/arm64", seeded.Reference.ToString()]);

        Assert.True(result.Succeeded, result.ToString());
        var json = JsonNode.Parse(result.StandardOutput)!;
        Assert.Equal(seeded.Arm64ManifestDigest, (string?)json["digest"]);
        Assert.Equal(seeded.IndexDigest, (string?)json["indexDigest"]);
        Assert.Equal("linux/arm64", (string?)json["platform"]);
        Assert.Equal($"{seeded.Reference}@{seeded.Arm64ManifestDigest}", (string?)json["reference"]);
        Assert.Equal("arm64", (string?)json["config"]!["architecture"]);
        Assert.Equal(2, (int?)json["manifest"]!["schemaVersion"]);
    }

    [RootFact]
    public async Task Inspect_raw_prints_the_index_exactly_as_served_and_insecure_names_the_registry_read()
    {
        var seeded = await BaseImages.SeedMultiArchAsync(server);

        var result = await DrydockRunner.RunAsync(DrydockRunner.ExecutablePath, ["image", "inspect", "--insecure", "--raw", seeded.Reference.ToString()]);

        // The runner collects output line by line; the index is one line, so trimming restores its bytes.
        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(seeded.IndexDigest, Oci.Digest.Sha256(System.Text.Encoding.UTF8.GetBytes(result.StandardOutput.TrimEnd('\n'))).ToString());
    }

    [RootFact]
    public async Task Copy_moves_every_platform_of_an_index_to_a_mutual_TLS_registry_with_digests_unchanged()
    {
        var seeded = await BaseImages.SeedMultiArchAsync(server);
        await using var target = await RegistryServer.StartAsync(RegistryMode.MutualTls);
        var destination = target.Reference("copied/multi:v1");

        var result = await DrydockRunner.RunAsync(DrydockRunner.ExecutablePath, [
            "image", "copy",
            "--insecure-registry", server.Host,
            "--registry-certificate", $"{target.Host}={target.CaCertificatePath}",
            "--registry-client-cert", $"{target.Host}={target.ClientCertificatePath},{target.ClientKeyPath}",
            seeded.Reference.ToString(), destination.ToString()]);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(seeded.IndexDigest, result.StandardOutput.Trim());
        var raw = await ToolRunner.RunCheckedAsync("skopeo", ["inspect", "--raw", .. target.SkopeoArgs, $"docker://{destination}"]);
        var source = await ToolRunner.RunCheckedAsync("skopeo", ["inspect", "--raw", .. server.SkopeoArgs, $"docker://{seeded.Reference}"]);
        Assert.Equal(source.StandardOutput, raw.StandardOutput);
        using var temp = new TempDirectory();
        await ToolRunner.RunCheckedAsync("skopeo", ["--insecure-policy", "copy", "--all", .. target.SkopeoSourceArgs, $"docker://{destination}", $"oci:{temp.Combine("layout")}:all"]);
        foreach (var digest in new[] { seeded.Amd64ManifestDigest, seeded.Arm64ManifestDigest })
        {
            Assert.True(File.Exists(temp.Combine("layout", "blobs", "sha256", digest["sha256:".Length..])), $"{digest} was not copied");
        }
    }

    [RootFact]
    public async Task Copy_within_a_registry_mounts_every_blob()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        var destination = server.Reference(RegistryServer.NewRepository("copy-mount") + ":v1");

        var result = await DrydockRunner.RunAsync(DrydockRunner.ExecutablePath, ["image", "copy", "--insecure", "--insecure-pull", seeded.Reference.ToString(), destination.ToString()]);

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(seeded.ManifestDigest, result.StandardOutput.Trim());
        Assert.Contains("(blobs: 2 mounted)", result.StandardError);
    }

    [RootFact]
    public async Task The_retry_flags_decide_whether_a_flaky_registry_is_survived()
    {
        var seeded = await BaseImages.SeedBusyboxAsync(server);
        using var proxy = new FaultProxy(server);
        var failures = 0;
        proxy.Faults = request => request.IsManifest && request.Method == "GET" && Interlocked.Increment(ref failures) % 2 == 1
            ? new Fault.Status(HttpStatusCode.ServiceUnavailable)
            : null;
        var reference = proxy.Reference($"{seeded.Reference.Repository}:latest").ToString();

        var withoutRetries = await DrydockRunner.RunAsync(DrydockRunner.ExecutablePath, ["image", "inspect", "--insecure-pull", "--image-download-retry", "0", reference]);
        var withRetries = await DrydockRunner.RunAsync(DrydockRunner.ExecutablePath, ["image", "inspect", "--insecure-pull", "--image-download-retry", "1", reference]);

        Assert.Equal(1, withoutRetries.ExitCode);
        Assert.Equal($"ERROR pulling manifest {reference}: 503 INJECTED: fault injected by the test proxy", withoutRetries.StandardError.Trim());
        Assert.True(withRetries.Succeeded, withRetries.ToString());
    }

    [Fact]
    public async Task A_missing_image_and_a_malformed_reference_are_one_error_line_each()
    {
        var missing = server.Reference(RegistryServer.NewRepository("absent") + ":v1").ToString();

        var notFound = await DrydockRunner.RunAsync(DrydockRunner.ExecutablePath, ["image", "inspect", "--insecure-pull", missing]);
        var malformed = await DrydockRunner.RunAsync(DrydockRunner.ExecutablePath, ["image", "copy", "Not/Valid", missing]);

        Assert.Equal(1, notFound.ExitCode);
        Assert.StartsWith($"ERROR pulling manifest {missing}: 404", notFound.StandardError);
        Assert.Equal(1, malformed.ExitCode);
        Assert.Contains("SRC: 'Not/Valid' is not a valid image reference: repository name must be lowercase", malformed.StandardError);
        Assert.Contains("Run 'drydock image copy --help'", malformed.StandardError);
        Assert.Equal("", malformed.StandardOutput);
    }
}
