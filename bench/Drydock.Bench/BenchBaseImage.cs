namespace Drydock.Bench;

/// <summary>
/// The realistic base the cache bench builds on: a minbase Debian bookworm (bash, coreutils, tar,
/// gzip, useradd), made once by <c>scripts/debian-rootfs.sh</c> and pushed to the bench's registry
/// as a one-layer image, built by Drydock itself (<c>FROM scratch</c> + <c>ADD</c> of the tarball).
/// </summary>
internal static class BenchBaseImage
{
    private const string Tarball = "/var/cache/drydock-tests/debian-bookworm-minbase.tar";

    /// <summary>Pushes the base to <paramref name="registryHost"/> and returns its reference.</summary>
    public static async Task<string> PushAsync(string directory, string registryHost, DrydockCli drydock, CancellationToken cancellationToken)
    {
        await EnsureTarballAsync(cancellationToken).ConfigureAwait(false);
        var context = Path.Combine(directory, "base-context");
        if (Directory.Exists(context))
        {
            Directory.Delete(context, recursive: true);
        }

        Directory.CreateDirectory(context);
        File.Copy(Tarball, Path.Combine(context, Path.GetFileName(Tarball)));
        await File.WriteAllTextAsync(
            Path.Combine(context, "Dockerfile"), $"FROM scratch\nADD {Path.GetFileName(Tarball)} /\nCMD [\"bash\"]\n", cancellationToken).ConfigureAwait(false);
        var reference = $"{registryHost}/debian:bookworm";
        await drydock.BuildAsync(Path.Combine(directory, "base-work"), ["--destination", reference, context], cancellationToken).ConfigureAwait(false);
        return reference;
    }

    private static async Task EnsureTarballAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(Tarball))
        {
            return;
        }

        var script = Path.Combine(RepositoryRoot(), "scripts", "debian-rootfs.sh");
        Console.WriteLine($"{Tarball} is missing: making it with {script}");
        var made = await TimedCommand.RunAsync(script, [], null, cancellationToken).ConfigureAwait(false);
        if (made.ExitCode != 0 || !File.Exists(Tarball))
        {
            throw new InvalidOperationException(
                $"{script} could not make {Tarball} (it needs root, debootstrap and the Debian mirror):\n{made.StandardError.Trim()}");
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "debian-rootfs.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No scripts/debian-rootfs.sh above {AppContext.BaseDirectory}: run the bench from the repository's build output.");
    }
}
