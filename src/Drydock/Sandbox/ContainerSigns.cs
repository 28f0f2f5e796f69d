namespace Drydock.Sandbox;

/// <summary>
/// Whether this process runs inside a container, by kaniko's checks (pkg/util/proc): a runtime's
/// name in /proc/self/cgroup or /proc/1/cgroup, OpenVZ's /proc/vz, gVisor's marker, a runtime in
/// /proc/1/cmdline, the <c>container</c> variable or /run/systemd/container, the runtimes' marker
/// files (/run/.containerenv, /.dockerenv, a Kubernetes service account), Kubernetes' service
/// variable, or an overlay root in /proc/mounts. The machine is read through the given functions,
/// so the decision is testable with a made-up one.
/// </summary>
/// <param name="Exists">Whether a path exists.</param>
/// <param name="ReadText">A file's text, or null when it cannot be read.</param>
/// <param name="Environment">An environment variable, or null.</param>
public sealed record ContainerSigns(Func<string, bool> Exists, Func<string, string?> ReadText, Func<string, string?> Environment)
{
    private static readonly string[] Runtimes =
        ["docker", "rkt", "systemd-nspawn", "lxc", "lxc-libvirt", "openvz", "kube", "garden", "podman", "gvisor", "firejail", "wsl"];

    private static readonly string[] MarkerFiles =
        ["/run/.containerenv", "/.dockerenv", "/var/run/secrets/kubernetes.io/serviceaccount"];

    /// <summary>This machine, read through /proc and the file system; the environment given.</summary>
    public static ContainerSigns Of(Func<string, string?> environment) => new(Path.Exists, TryRead, environment);

    /// <summary>The first sign of a container found, said as a reason ("/.dockerenv exists"), or null when there is none.</summary>
    public string? Find()
    {
        foreach (var cgroup in (string[])["/proc/self/cgroup", "/proc/1/cgroup"])
        {
            if (Runtime(ReadText(cgroup)) is { } runtime)
            {
                return $"{cgroup} names {runtime}";
            }
        }

        if (Exists("/proc/vz") && !Exists("/proc/bc"))
        {
            return "/proc/vz exists (OpenVZ)";
        }

        if (Exists("/__runsc_containers__"))
        {
            return "/__runsc_containers__ exists (gVisor)";
        }

        if (Runtime(ReadText("/proc/1/cmdline")) is { } init)
        {
            return $"/proc/1/cmdline names {init}";
        }

        if (Runtime(Environment("container")) is { } variable)
        {
            return $"the container variable says {variable}";
        }

        if (Runtime(ReadText("/run/systemd/container")) is { } systemd)
        {
            return $"/run/systemd/container says {systemd}";
        }

        if (MarkerFiles.FirstOrDefault(Exists) is { } marker)
        {
            return $"{marker} exists";
        }

        if (!string.IsNullOrEmpty(Environment("KUBERNETES_SERVICE_HOST")))
        {
            return "KUBERNETES_SERVICE_HOST is set";
        }

        // kaniko's test: the first mount listed is an overlay root.
        var firstMount = ReadText("/proc/mounts")?.Split('\n', 2)[0].Split(' ');
        return firstMount is [_, "/", "overlay", ..] ? "the root is an overlay mount (/proc/mounts)" : null;
    }

    private static string? Runtime(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : Runtimes.FirstOrDefault(runtime => text.Contains(runtime, StringComparison.Ordinal));

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
