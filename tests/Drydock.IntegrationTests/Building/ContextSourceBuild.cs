namespace Drydock.IntegrationTests.Building;

/// <summary>
/// What the build-context tests compare: trees written as a directory context, GNU tar's archives
/// of them, and builds through the real CLI with --reproducible, so two contexts holding the same
/// tree give the same image digest.
/// </summary>
internal sealed class ContextSourceBuild(string prefix) : IDisposable
{
    public const string CopyAll = "FROM scratch\nCOPY . /c/\n";

    private readonly TempDirectory _scratch = new(prefix);

    public void Dispose() => _scratch.Dispose();

    public string Combine(params string[] parts) => _scratch.Combine(parts);

    /// <summary>
    /// A context with its Dockerfile and .dockerignore, a symlink, an executable, and a sub
    /// directory with a Dockerfile and .dockerignore of its own (for --context-sub-path).
    /// </summary>
    public string SampleTree(string name)
    {
        var exists = Directory.Exists(_scratch.Combine(name));
        var root = SampleDirectory(
            name,
            ("Dockerfile", CopyAll, false),
            (".dockerignore", "*.log\n", false),
            ("a.txt", "a\n", false),
            ("x.log", "ignored\n", false),
            ("bin/run.sh", "#!/bin/sh\n", true),
            ("sub/Dockerfile", "FROM scratch\nCOPY . /s/\n", false),
            ("sub/.dockerignore", "skip\n", false),
            ("sub/s.txt", "s\n", false),
            ("sub/skip", "skipped\n", false));
        if (!exists)
        {
            File.CreateSymbolicLink(Path.Combine(root, "link"), "a.txt");
        }

        return root;
    }

    /// <summary>A directory of these files (modes set explicitly, so no umask decides), made once per name.</summary>
    public string SampleDirectory(string name, params (string Path, string Content, bool Executable)[] files)
    {
        var root = _scratch.Combine(name);
        if (Directory.Exists(root))
        {
            return root;
        }

        Directory.CreateDirectory(root);
        foreach (var (path, content, executable) in files)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
            File.SetUnixFileMode(full, executable ? ContextDirectory.Mode755 : ContextDirectory.Mode644);
        }

        foreach (var directory in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Append(root))
        {
            File.SetUnixFileMode(directory, ContextDirectory.Mode755);
        }

        return root;
    }

    /// <summary>GNU tar's archive of the tree, compressed by the compressor's own CLI (tar runs it; "" for none).</summary>
    public async Task<string> TarAsync(string tree, string name, string compression)
    {
        var archive = _scratch.Combine(name);
        await ToolRunner.RunCheckedAsync("tar", [.. compression.Length > 0 ? [compression] : Array.Empty<string>(), "-C", tree, "-cf", archive, "."]);
        return archive;
    }

    /// <summary>The digest of a successful <see cref="BuildAsync"/>.</summary>
    public static async Task<string> DigestAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? standardInput = null) =>
        DrydockRunner.Digest(await BuildAsync(arguments, environment, standardInput));

    /// <summary><c>drydock build ARGUMENTS --no-push --reproducible</c>.</summary>
    public static Task<ToolResult> BuildAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? standardInput = null) =>
        DrydockRunner.BuildAsync([.. arguments, "--no-push", "--reproducible"], environment, standardInput);
}
