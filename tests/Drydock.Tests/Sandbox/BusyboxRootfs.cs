using System.Runtime.Versioning;

namespace Drydock.Tests.Sandbox;

/// <summary>
/// A throwaway image root made from the host's static busybox: /bin with applet links, and an
/// /etc/passwd and /etc/group with root, a user app (1000:1000) and a group extra (2000) app is in.
/// Deliberately without /proc, /dev, /sys, /tmp, /etc/hosts and /etc/resolv.conf.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class BusyboxRootfs : IDisposable
{
    private const string Busybox = "/bin/busybox";

    private static readonly string[] Applets =
    [
        "sh", "echo", "id", "ls", "cat", "touch", "rm", "mkdir", "pwd", "env", "sleep", "mount", "hostname",
        "ps", "grep", "head", "wc", "test", "true", "false", "kill", "stat",
    ];

    public BusyboxRootfs()
    {
        Path = Directory.CreateTempSubdirectory("drydock-sandbox-test-").FullName;
        // A non-root user must be able to enter the image's root, as in any real image.
        File.SetUnixFileMode(Path, Mode0755);
        var bin = Directory.CreateDirectory(Combine("bin"), Mode0755).FullName;
        File.Copy(Busybox, System.IO.Path.Combine(bin, "busybox"));
        foreach (var applet in Applets)
        {
            File.CreateSymbolicLink(System.IO.Path.Combine(bin, applet), "busybox");
        }

        Directory.CreateDirectory(Combine("etc"), Mode0755);
        File.WriteAllText(Combine("etc/passwd"), """
            root:x:0:0:root:/root:/bin/sh
            app:x:1000:1000:app:/home/app:/bin/sh

            """);
        File.WriteAllText(Combine("etc/group"), """
            root:x:0:
            app:x:1000:
            extra:x:2000:app

            """);
    }

    public static UnixFileMode Mode0755 =>
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public string Path { get; }

    /// <summary>The host path of an in-image path such as "etc/hosts".</summary>
    public string Combine(string relative) => System.IO.Path.Combine(Path, relative.TrimStart('/'));

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
