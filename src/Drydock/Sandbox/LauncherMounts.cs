using System.Globalization;
using System.Runtime.Versioning;
using Drydock.Native;

namespace Drydock.Sandbox;

/// <summary>Turns a request's mounts into drydock-run arguments, creating their mount points.</summary>
[SupportedOSPlatform("linux")]
internal static class LauncherMounts
{
    /// <param name="scratch">A private directory outside the rootfs that lives as long as the run.</param>
    public static IEnumerable<string> Arguments(IReadOnlyList<SandboxMount> mounts, MountPoints mountPoints, string scratch)
    {
        // Parents before children, as OCI runtimes order them: /cache must be mounted before
        // /cache/sub, or it would hide it.
        var index = 0;
        foreach (var mount in mounts.OrderBy(m => Depth(m.Target)))
        {
            index++;
            switch (mount)
            {
                case SandboxMount.Tmpfs tmpfs:
                    yield return "--tmpfs";
                    yield return mountPoints.Directory(tmpfs.Target);
                    yield return tmpfs.SizeLimit.ToString(CultureInfo.InvariantCulture);
                    break;
                case SandboxMount.Bind bind:
                    foreach (var argument in BindArguments(bind, mountPoints, Path.Combine(scratch, "mount-" + index.ToString(CultureInfo.InvariantCulture))))
                    {
                        yield return argument;
                    }

                    break;
                default:
                    throw new ArgumentException($"unknown mount {mount}", nameof(mounts));
            }
        }
    }

    private static IEnumerable<string> BindArguments(SandboxMount.Bind bind, MountPoints mountPoints, string scratch)
    {
        var isDirectory = Directory.Exists(bind.Source);
        if (!isDirectory && !File.Exists(bind.Source))
        {
            throw new SandboxException($"cannot mount {bind.Source} on {bind.Target}: it does not exist");
        }

        var target = isDirectory ? mountPoints.Directory(bind.Target) : mountPoints.File(bind.Target);
        switch (bind.Writes)
        {
            case BindWrites.Refused:
                return ["--ro-bind", bind.Source, target];
            case BindWrites.Kept:
                return ["--bind", bind.Source, target];
            case BindWrites.Discarded when isDirectory:
                // An overlay costs what the command writes, where a copy would cost the whole tree.
                // The overlay's root directory is the upper one: it must look like the source's.
                var upper = Directory.CreateDirectory(Path.Combine(scratch, "upper")).FullName;
                var work = Directory.CreateDirectory(Path.Combine(scratch, "work")).FullName;
                TakeOwnerAndMode(bind.Source, upper);
                return ["--overlay", bind.Source, upper, work, target];
            default:
                // A single file cannot be an overlay; a copy of it is cheap.
                Directory.CreateDirectory(scratch);
                var copy = Path.Combine(scratch, Path.GetFileName(bind.Source));
                NativeFiles.CopyFile(bind.Source, copy);
                TakeOwnerAndMode(bind.Source, copy);
                return ["--bind", copy, target];
        }
    }

    private static void TakeOwnerAndMode(string source, string path)
    {
        var status = NativeFiles.Lstat(source);
        // chown before chmod: changing the owner clears setuid and setgid bits.
        NativeFiles.Lchown(path, status.Uid, status.Gid);
        NativeFiles.Chmod(path, status.Permissions);
    }

    private static int Depth(string target) =>
        target.Split('/', StringSplitOptions.RemoveEmptyEntries).Count(part => part != ".");
}
