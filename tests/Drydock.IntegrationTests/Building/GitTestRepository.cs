namespace Drydock.IntegrationTests.Building;

/// <summary>A repository made with git itself for ADD tests, cloned bare into a directory a <see cref="GitDaemon"/> serves.</summary>
internal sealed class GitTestRepository
{
    private GitTestRepository(string working)
    {
        Working = working;
    }

    /// <summary>The working repository the test commits in.</summary>
    public string Working { get; }

    /// <summary>
    /// Makes <c>NAME.git</c> under <paramref name="served"/>: on main, commit one (a.txt "one",
    /// run.sh executable, sub/deep/f), tagged v1 and annotated v1a, then commit two (a.txt "two");
    /// branch feature adds feat.txt.
    /// </summary>
    public static async Task<GitTestRepository> CreateAsync(string served, string name)
    {
        var working = Path.Combine(served, name + "-work");
        var repository = new GitTestRepository(working);
        Directory.CreateDirectory(working);
        await repository.GitAsync("init", "-q", "-b", "main");
        await repository.GitAsync("config", "user.email", "test@example.com");
        await repository.GitAsync("config", "user.name", "test");
        await repository.WriteAsync("a.txt", "one\n");
        await repository.WriteAsync("run.sh", "#!/bin/sh\n", executable: true);
        await repository.WriteAsync("sub/deep/f", "deep\n");
        await repository.CommitAsync("one");
        await repository.GitAsync("tag", "v1");
        await repository.GitAsync("tag", "-a", "v1a", "-m", "annotated");
        await repository.WriteAsync("a.txt", "two\n");
        await repository.CommitAsync("two");
        await repository.GitAsync("checkout", "-q", "-b", "feature");
        await repository.WriteAsync("feat.txt", "feature\n");
        await repository.CommitAsync("feature");
        await repository.GitAsync("checkout", "-q", "main");
        await ToolRunner.RunCheckedAsync("git", ["clone", "-q", "--bare", working, Path.Combine(served, name + ".git")]);
        return repository;
    }

    public async Task<string> RevParseAsync(string revision) => (await GitAsync("rev-parse", revision)).Trim();

    private async Task WriteAsync(string path, string content, bool executable = false)
    {
        var full = Path.Combine(Working, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await File.WriteAllTextAsync(full, content);
        File.SetUnixFileMode(full, executable ? ContextDirectory.Mode755 : ContextDirectory.Mode644);
    }

    private async Task CommitAsync(string message)
    {
        await GitAsync("add", "-A");
        await GitAsync("commit", "-q", "-m", message);
    }

    private async Task<string> GitAsync(params string[] arguments) =>
        (await ToolRunner.RunCheckedAsync("git", ["-C", Working, .. arguments])).StandardOutput;
}
