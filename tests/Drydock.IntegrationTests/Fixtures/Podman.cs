namespace Drydock.IntegrationTests.Fixtures;

/// <summary>A bind mount into a container: <paramref name="HostPath"/> at <paramref name="ContainerPath"/>.</summary>
public sealed record Volume(string HostPath, string ContainerPath, bool ReadOnly = false)
{
    public override string ToString() => $"{HostPath}:{ContainerPath}{(ReadOnly ? ":ro" : "")}";
}

/// <summary>
/// Podman standing in for a CI runner's Docker or a Kubernetes node, exactly as TESTBED.md measured it
/// here: root in the container with Docker's 14 default capabilities and default seccomp filter, no
/// <c>--privileged</c> unless asked, the host's network (registries on 127.0.0.1). All of podman's
/// state (images, containers, volumes, locks) lives in a temp directory of its own, deleted on dispose.
/// </summary>
/// <remarks>
/// Every podman command runs in a private mount namespace without /sys/fs/cgroup/unified: cgroups are
/// hybrid on these machines and OCI runtimes refuse them otherwise. The container's overlay mounts
/// are made in that namespace too, so they vanish with it and nothing stays mounted on the host.
/// </remarks>
public sealed class Podman : IDisposable
{
    // Podman's 11 default capabilities plus these are Docker's 14.
    private const string DockerExtraCapabilities = "MKNOD,NET_RAW,AUDIT_WRITE";

    // The private namespace's script: $0 is the state directory, "$@" podman's arguments.
    private const string Script =
        """
        umount /sys/fs/cgroup/unified 2>/dev/null
        exec podman --root "$0/root" --runroot "$0/run" --tmpdir "$0/tmp" --volumepath "$0/volumes" \
          --storage-driver overlay --cgroup-manager cgroupfs --events-backend file "$@"
        """;

    // Lower case (a Guid's hex): podman names an image pulled from an OCI layout after its path.
    private readonly TempDirectory _state = new("drydock-podman-", Path.GetTempPath());
    private int _layouts;

    /// <summary>Where podman keeps its state (images, containers) for this instance.</summary>
    public string StateDirectory => _state.Path;

    /// <summary>Runs <c>podman ARGS</c> with this instance's state; returns what happened, whatever the exit code.</summary>
    public Task<ToolResult> PodmanAsync(IEnumerable<string> arguments, ToolOptions? options = null, CancellationToken cancellationToken = default) =>
        ToolRunner.RunAsync("unshare", ["--mount", "--propagation", "private", "sh", "-c", Script, _state.Path, .. arguments], options, cancellationToken);

    /// <summary>Loads the image an OCI layout tags <paramref name="tag"/> and returns its image ID.</summary>
    public async Task<string> LoadOciLayoutAsync(string layoutDirectory, string tag = "latest", CancellationToken cancellationToken = default)
    {
        // Through a link of a lower-case name: podman refuses a path with capitals as an image name.
        var link = Path.Combine(_state.Path, "layouts", Interlocked.Increment(ref _layouts).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, Path.GetFullPath(layoutDirectory));
        var result = (await PodmanAsync(["pull", "-q", $"oci:{link}:{tag}"], cancellationToken: cancellationToken)).EnsureSuccess();
        return result.StandardOutput.Trim().Split('\n')[^1];
    }

    /// <summary>
    /// Runs a container of <paramref name="image"/> to its end and removes it, as a CI runner runs a job
    /// or a node a pod: <paramref name="entrypoint"/> replaces the image's (an empty list clears it,
    /// as GitLab's <c>entrypoint: [""]</c>; null keeps it) and <paramref name="arguments"/> follow it.
    /// </summary>
    public Task<ToolResult> RunAsync(
        string image,
        IReadOnlyList<string>? entrypoint,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        IEnumerable<Volume>? volumes = null,
        bool privileged = false,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        List<string> run = ["run", "--rm", "--network", "host", "--ulimit", "nofile=1024:20000", "--ulimit", "nproc=4096:4096"];
        run.AddRange(privileged ? ["--privileged"] : ["--cap-add", DockerExtraCapabilities]);
        if (entrypoint is not null)
        {
            // podman reads --entrypoint as JSON when it parses as a JSON array.
            run.AddRange(["--entrypoint", entrypoint.Count == 0 ? "" : System.Text.Json.JsonSerializer.Serialize(entrypoint)]);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            run.AddRange(["--env", $"{name}={value}"]);
        }

        foreach (var volume in volumes ?? [])
        {
            run.AddRange(["--volume", volume.ToString()]);
        }

        return PodmanAsync([.. run, image, .. arguments], new ToolOptions { Timeout = timeout ?? TimeSpan.FromMinutes(3) }, cancellationToken);
    }

    public void Dispose() => _state.Dispose();
}
