using System.Diagnostics;
using System.Net.Sockets;

namespace Drydock.Tests.Building.Caching;

/// <summary>
/// <c>git daemon</c> serving the bare repositories of a temp directory over git:// on 127.0.0.1
/// (ADD refuses local paths and file://, so a test repository needs a server), and commits made
/// into them.
/// </summary>
internal sealed class GitDaemon : IDisposable
{
    private readonly TempDirectory _root;
    private readonly Process _daemon;

    private GitDaemon(TempDirectory root, Process daemon, int port)
    {
        _root = root;
        _daemon = daemon;
        Port = port;
    }

    public int Port { get; }

    /// <summary><c>git://127.0.0.1:PORT/NAME.git</c>.</summary>
    public string Url(string name) => $"git://127.0.0.1:{Port}/{name}.git";

    public static async Task<GitDaemon> StartAsync()
    {
        var root = new TempDirectory("drydock-git-");
        for (var attempt = 0; ; attempt++)
        {
            var port = LoopbackPort.Free();
            var daemon = Process.Start(new ProcessStartInfo(
                "git", ["daemon", "--export-all", "--reuseaddr", "--listen=127.0.0.1", $"--port={port}", $"--base-path={root.Path}", root.Path])
            {
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            if (await ListeningAsync(port, daemon))
            {
                return new GitDaemon(root, daemon, port);
            }

            Stop(daemon);
            if (attempt == 3)
            {
                root.Dispose();
                throw new InvalidOperationException("git daemon did not start listening on 127.0.0.1");
            }
        }
    }

    /// <summary>Commits <paramref name="content"/> as <paramref name="file"/> to branch main of repository <paramref name="name"/> (made on first use).</summary>
    /// <returns>The commit's hash.</returns>
    public async Task<string> CommitAsync(string name, string file, string content)
    {
        var bare = Path.Combine(_root.Path, name + ".git");
        var work = Path.Combine(_root.Path, name + ".work");
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

    public void Dispose()
    {
        Stop(_daemon);
        _root.Dispose();
    }

    private static void Stop(Process daemon)
    {
        if (!daemon.HasExited)
        {
            daemon.Kill(entireProcessTree: true);
            daemon.WaitForExit();
        }

        daemon.Dispose();
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

    private static async Task<bool> ListeningAsync(int port, Process daemon)
    {
        for (var i = 0; i < 100 && !daemon.HasExited; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        return false;
    }
}
