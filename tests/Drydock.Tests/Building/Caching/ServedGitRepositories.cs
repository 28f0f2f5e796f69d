using System.Diagnostics;

namespace Drydock.Tests.Building.Caching;

/// <summary>
/// Bare repositories served by a <see cref="GitDaemon"/> (ADD refuses local paths and file://, so
/// a test repository needs a server), and commits pushed into them.
/// </summary>
internal sealed class ServedGitRepositories : IAsyncDisposable
{
    private readonly TempDirectory _root;
    private readonly GitDaemon _daemon;

    private ServedGitRepositories(TempDirectory root, GitDaemon daemon)
    {
        _root = root;
        _daemon = daemon;
    }

    public static async Task<ServedGitRepositories> StartAsync()
    {
        var root = new TempDirectory("drydock-git-");
        return new ServedGitRepositories(root, await GitDaemon.StartAsync(root.Path));
    }

    /// <summary><c>git://127.0.0.1:PORT/NAME.git</c>.</summary>
    public string Url(string name) => _daemon.Url(name + ".git");

    /// <summary>Commits <paramref name="content"/> as <paramref name="file"/> to branch main of repository <paramref name="name"/> (made on first use).</summary>
    /// <returns>The commit's hash.</returns>
    public async Task<string> CommitAsync(string name, string file, string content)
    {
        var bare = Path.Combine(_root.Path, name + ".git");
        var work = Path.Combine(_root.Path, name + "-work");
        if (!Directory.Exists(bare))
        {
            await GitAsync(_root.Path, "init", "-q", "--bare", "-b", "main", bare);
            await GitAsync(_root.Path, "init", "-q", "-b", "main", work);
        }

        await File.WriteAllTextAsync(Path.Combine(work, file), content);
        await GitAsync(work, "add", "-A");
        await GitAsync(work, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "change " + file);
        await GitAsync(work, "push", "-q", bare, "HEAD:refs/heads/main");
        return (await GitAsync(work, "rev-parse", "HEAD")).Trim();
    }

    public async ValueTask DisposeAsync()
    {
        await _daemon.DisposeAsync();
        _root.Dispose();
    }

    private static async Task<string> GitAsync(string directory, params string[] arguments)
    {
        using var git = Process.Start(new ProcessStartInfo("git", arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var output = git.StandardOutput.ReadToEndAsync();
        var error = git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        return git.ExitCode == 0 ? await output : throw new InvalidOperationException($"git {string.Join(' ', arguments)}: {await error}");
    }
}
