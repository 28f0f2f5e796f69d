namespace Drydock.IntegrationTests.Fixtures;

/// <summary>
/// Drydock's executor images (<c>executor</c> and <c>debug</c>), built once per test run by
/// <c>deploy/build-images.sh</c> (the Native AOT publish takes most of a minute), pushed by it to a
/// plain-HTTP registry of the fixture's own (<c>--push</c>) and loaded into a
/// <see cref="Fixtures.Podman"/> of their own. Join with <c>[Collection(ExecutorImages.Collection)]</c>.
/// </summary>
/// <remarks>
/// DRYDOCK_TEST_EXECUTOR_IMAGES=DIR uses the layouts a previous <c>deploy/build-images.sh DIR</c> wrote
/// (for iterating on the tests; the script is then not run).
/// </remarks>
public sealed class ExecutorImages : IAsyncLifetime
{
    public const string Collection = "executor-images";

    private readonly TempDirectory _output = new("drydock-images-");

    /// <summary>The OCI layouts' parent: <c>executor</c> and <c>debug</c> under it, each tagging <c>latest</c>.</summary>
    public string Directory { get; private set; } = "";

    public string ExecutorLayout => Path.Combine(Directory, "executor");

    public string DebugLayout => Path.Combine(Directory, "debug");

    /// <summary>What build-images.sh printed (its size lines), or null when prebuilt layouts were given.</summary>
    public ToolResult? Build { get; private set; }

    /// <summary>Where build-images.sh pushed <c>executor:latest</c> and <c>debug:latest</c>, or null when prebuilt layouts were given.</summary>
    public string? PushedRepository { get; private set; }

    public Podman Podman { get; } = new();

    /// <summary>The registry the images were pushed to (running only when they were built here).</summary>
    public RegistryServer Registry { get; } = new(RegistryMode.Http);

    /// <summary>The executor image's ID in <see cref="Podman"/>.</summary>
    public string Executor { get; private set; } = "";

    /// <summary>The debug image's ID in <see cref="Podman"/>.</summary>
    public string Debug { get; private set; } = "";

    /// <summary>The repository's root (where deploy/ is), found upward from the test binaries.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public async Task InitializeAsync()
    {
        Directory = Environment.GetEnvironmentVariable("DRYDOCK_TEST_EXECUTOR_IMAGES") ?? _output.Path;
        if (Directory == _output.Path)
        {
            // Built with the drydock these tests run, so the images show this tree's builder too.
            await Registry.InitializeAsync();
            PushedRepository = $"{Registry.Host}/drydock";
            Build = await ToolRunner.RunCheckedAsync(
                Path.Combine(RepositoryRoot, "deploy", "build-images.sh"),
                [Directory, "--push", PushedRepository, "--", "--insecure-registry", Registry.Host],
                new ToolOptions { Timeout = TimeSpan.FromMinutes(10), Environment = new Dictionary<string, string?> { ["DRYDOCK"] = DrydockRunner.ExecutablePath } });
        }

        Executor = await Podman.LoadOciLayoutAsync(ExecutorLayout);
        Debug = await Podman.LoadOciLayoutAsync(DebugLayout);
    }

    public async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
        Podman.Dispose();
        _output.Dispose();
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "deploy", "build-images.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No deploy/build-images.sh above {AppContext.BaseDirectory}: the tests run from the repository's build output.");
    }
}

[CollectionDefinition(ExecutorImages.Collection)]
public sealed class ExecutorImagesCollection : ICollectionFixture<ExecutorImages>;
