namespace Drydock.IntegrationTests.Building;

/// <summary>
/// <c>--isolation none</c> where no sign of a container is found refuses, naming <c>--force</c>,
/// and changes nothing. Run where a broken refusal could do no harm: in a private mount and PID
/// namespace, chrooted into a throwaway root whose programs are read-only binds of this machine's
/// and which has none of the container markers.
/// </summary>
public sealed class InPlaceRefusalTests : IDisposable
{
    private readonly TempDirectory _root = new("drydock-refusal-root-");

    public void Dispose() => _root.Dispose();

    [RootFact]
    public async Task In_place_outside_a_container_refuses_naming_force_and_changes_nothing()
    {
        foreach (var directory in (string[])["usr", "etc", "dev", "proc", "tmp", "drydock", "ctx"])
        {
            Directory.CreateDirectory(_root.Combine(directory));
        }

        foreach (var link in (string[])["bin", "sbin", "lib", "lib64"])
        {
            if (new FileInfo("/" + link).LinkTarget is { } target)
            {
                File.CreateSymbolicLink(_root.Combine(link), target);
            }
        }

        File.WriteAllText(_root.Combine("precious"), "the machine's own file\n");
        File.WriteAllText(_root.Combine("ctx", "Dockerfile"), "FROM scratch\nCOPY Dockerfile /\n");
        var before = RootfsListing.Lines(_root.Path, withTimes: true);

        var script = $"""
            set -e
            R='{_root.Path}'
            for d in usr etc; do mount --bind /$d "$R/$d"; mount -o remount,bind,ro "$R/$d"; done
            mount --bind '{AppContext.BaseDirectory}' "$R/drydock"; mount -o remount,bind,ro "$R/drydock"
            mount --rbind /dev "$R/dev"
            mount -t proc proc "$R/proc"
            exec chroot "$R" /drydock/drydock executor --isolation none --context /ctx --no-push --destination localhost/refused:t
            """;
        // No diagnostics socket: the runtime would make one in /tmp, which is not the build's doing.
        var result = await ToolRunner.RunAsync(
            "unshare", ["-m", "-p", "-f", "--propagation", "private", "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp", "DOTNET_EnableDiagnostics=0", "sh", "-c", script]);

        var error = DrydockRunner.AssertOneError(result);
        Assert.Contains("no sign of a container", error, StringComparison.Ordinal);
        Assert.Contains("--force", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(before, RootfsListing.Lines(_root.Path, withTimes: true));
    }
}
