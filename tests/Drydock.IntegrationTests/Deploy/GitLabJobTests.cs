using System.Security.Cryptography;
using Drydock.IntegrationTests.Building;

namespace Drydock.IntegrationTests.Deploy;

/// <summary>
/// The GitLab job Drydock ships (<c>deploy/gitlab-ci.yml</c>), its script lines run verbatim as a
/// GitLab runner runs them: the debug image with its entrypoint cleared, root with Docker's 14
/// capabilities and default seccomp, the project bind-mounted at CI_PROJECT_DIR, the CI variables
/// set. Namespaces are refused there, so the build runs in place, as kaniko's does.
/// </summary>
[Collection(ExecutorImages.Collection)]
public sealed class GitLabJobTests(ExecutorImages images, AuthRegistry registry) : IClassFixture<AuthRegistry>
{
    private const string ProjectDirectory = "/builds/group/project";

    [RootFact]
    public async Task TheShippedJobBuildsATwoStageDockerfileWithRunInPlaceAndPushesIt()
    {
        var baseImage = await BaseImages.SeedBusyboxAsync(registry);
        using var project = new TempDirectory();
        await File.WriteAllTextAsync(project.Combine("Dockerfile"), $"""
            FROM {baseImage.Reference} AS build
            COPY app.txt /src/app.txt
            RUN mkdir -p /out && cp /src/app.txt /out/app.txt && echo built > /out/stamp
            FROM {baseImage.Reference}
            COPY --from=build /out /app
            RUN echo ran >> /app/stamp && id -u > /app/uid
            """);
        await File.WriteAllTextAsync(project.Combine("app.txt"), "the application\n");
        var before = Fingerprint(project.Path);
        using var ca = new TempDirectory();
        File.Copy(registry.CaCertificatePath!, ca.Combine("ca.crt"));

        var repository = $"{registry.Host}/{RegistryServer.NewRepository("gitlab")}";
        var environment = CiVariables(repository, ("CI_COMMIT_TAG", "v1.0.0"));
        var script = string.Join('\n', ["set -e", .. JobScript("build")]);
        var run = await images.Podman.RunAsync(
            images.Debug, entrypoint: [], ["sh", "-c", script], environment, [new(project.Path, ProjectDirectory), new(ca.Path, "/ca", ReadOnly: true)]);
        Assert.True(run.Succeeded, run.ToString());

        using var temp = new TempDirectory();
        var image = await new ImageInspector(registry).UnpackAsync($"{repository}:v1.0.0", temp);
        Assert.Equal("the application\n", await File.ReadAllTextAsync(image.HostPath("/app/app.txt")));
        Assert.Equal("built\nran\n", await File.ReadAllTextAsync(image.HostPath("/app/stamp")));
        Assert.Equal("0\n", await File.ReadAllTextAsync(image.HostPath("/app/uid")));
        Assert.True(File.Exists(image.HostPath(BaseImages.MarkerPath)), "the base's files are missing");
        foreach (var path in new[] { "/kaniko", "/busybox", "/builds", "/ca", "/src" })
        {
            Assert.False(ImageInspector.Exists(image.HostPath(path)), $"{path} is in the image");
        }

        await ImageInspector.AssertInNoLayerAsync(image, registry.Password!);
        Assert.Equal(before, Fingerprint(project.Path));
    }

    /// <summary>
    /// The cached job, run twice on fresh runners (new containers): the second run takes every
    /// RUN and COPY from the cache repository beside the image, runs no command, and pushes the
    /// same layers.
    /// </summary>
    [RootFact]
    public async Task TheCachedJobRunsNothingTheSecondTime()
    {
        var baseImage = await BaseImages.SeedBusyboxAsync(registry);
        using var project = new TempDirectory();
        await File.WriteAllTextAsync(project.Combine("Dockerfile"), $"""
            FROM {baseImage.Reference} AS build
            COPY app.txt /src/app.txt
            RUN mkdir -p /out && cp /src/app.txt /out/app.txt && echo built >> /runs/build && echo built > /out/stamp
            FROM {baseImage.Reference}
            WORKDIR /app
            COPY --from=build /out ./
            RUN echo ran >> /runs/final && echo ran >> stamp
            """);
        await File.WriteAllTextAsync(project.Combine("app.txt"), "the application\n");
        using var runs = new TempDirectory();
        using var ca = new TempDirectory();
        File.Copy(registry.CaCertificatePath!, ca.Combine("ca.crt"));
        var repository = $"{registry.Host}/{RegistryServer.NewRepository("gitlab-cached")}";
        var environment = CiVariables(repository, ("CI_COMMIT_REF_SLUG", "main"));
        var script = string.Join('\n', ["set -e", .. JobScript("build-cached")]);
        // /runs is a mount point, so in place the RUN steps write through to the host: it counts them.
        IReadOnlyList<Volume> mounts = [new(project.Path, ProjectDirectory), new(ca.Path, "/ca", ReadOnly: true), new(runs.Path, "/runs")];

        var first = await images.Podman.RunAsync(images.Debug, entrypoint: [], ["sh", "-c", script], environment, mounts);
        Assert.True(first.Succeeded, first.ToString());
        var firstLayers = (await new ImageInspector(registry).ManifestAsync($"{repository}:main"))["layers"]!.ToJsonString();
        var second = await images.Podman.RunAsync(images.Debug, entrypoint: [], ["sh", "-c", script], environment, mounts);

        Assert.True(second.Succeeded, second.ToString());
        Assert.Equal(5, second.StandardError.Split('\n').Count(l => l.Contains("[CACHED]", StringComparison.Ordinal)));
        Assert.Equal("built\n", await File.ReadAllTextAsync(runs.Combine("build")));
        Assert.Equal("ran\n", await File.ReadAllTextAsync(runs.Combine("final")));
        Assert.Equal(firstLayers, (await new ImageInspector(registry).ManifestAsync($"{repository}:main"))["layers"]!.ToJsonString());
        using var temp = new TempDirectory();
        var image = await new ImageInspector(registry).UnpackAsync($"{repository}:main", temp);
        Assert.Equal("built\nran\n", await File.ReadAllTextAsync(image.HostPath("/app/stamp")));
        Assert.Equal("the application\n", await File.ReadAllTextAsync(image.HostPath("/app/app.txt")));
        Assert.False(ImageInspector.Exists(image.HostPath("/runs/build")), "a mount point's content is in the image");
    }

    /// <summary>The variables a GitLab runner sets for the job, pushing to <paramref name="repository"/>, with the CA the script appends.</summary>
    private Dictionary<string, string> CiVariables(string repository, (string Name, string Value) commit) => new()
    {
        ["CI_PROJECT_DIR"] = ProjectDirectory,
        ["CI_REGISTRY"] = registry.Host,
        ["CI_REGISTRY_USER"] = registry.Username!,
        ["CI_REGISTRY_PASSWORD"] = registry.Password!,
        ["CI_REGISTRY_IMAGE"] = repository,
        [commit.Name] = commit.Value,
        ["CUSTOM_CA_FILE"] = "/ca/ca.crt",
    };

    /// <summary>The script lines of one job, as deploy/gitlab-ci.yml lists them.</summary>
    private static IEnumerable<string> JobScript(string job)
    {
        var lines = File.ReadAllLines(Path.Combine(ExecutorImages.RepositoryRoot, "deploy", "gitlab-ci.yml"));
        var jobStart = Array.FindIndex(lines, l => l == job + ":");
        Assert.True(jobStart >= 0, $"deploy/gitlab-ci.yml has no job {job}");
        var start = Array.FindIndex(lines, jobStart, l => l.Trim() == "script:");
        Assert.True(start >= 0, $"the job {job} of deploy/gitlab-ci.yml has no script");
        var items = lines.Skip(start + 1).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal)).Select(l => l.Trim()).Where(l => l.StartsWith("- ", StringComparison.Ordinal));
        return items.Select(l => l[2..]).ToArray();
    }


    /// <summary>Every entry under a directory with its type, mode, owner, size, mtime and content hash.</summary>
    private static string Fingerprint(string root) => string.Join('\n', Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
        .Order(StringComparer.Ordinal)
        .Select(path =>
        {
            var info = new FileInfo(path);
            var content = info.Attributes.HasFlag(FileAttributes.Directory) ? "" : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
            return $"{Path.GetRelativePath(root, path)} {info.UnixFileMode} {info.LastWriteTimeUtc.Ticks} {content}";
        }));
}
