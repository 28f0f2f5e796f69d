using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// <c>git daemon</c> serving the bare repositories of one directory over git:// on 127.0.0.1, at a
/// free port, stopped through its own process handle. It cannot report the port it picked, so a
/// free one is chosen first and taken again should another process win it meanwhile.
/// </summary>
/// <remarks>
/// git-daemon is started itself, not through the <c>git</c> wrapper, which would leave it running
/// (and holding our pipe) when only the wrapper is stopped.
/// </remarks>
internal sealed class GitDaemon : IAsyncDisposable
{
    private const int Attempts = 5;

    private readonly Process _process;

    private GitDaemon(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<GitDaemon> StartAsync(string basePath)
    {
        var execPath = (await ToolRunner.RunCheckedAsync("git", ["--exec-path"])).StandardOutput.Trim();
        for (var attempt = 1; ; attempt++)
        {
            var port = LoopbackPort.Free();
            var start = new ProcessStartInfo(Path.Combine(execPath, "git-daemon"))
            {
                ArgumentList = { "--reuseaddr", "--export-all", "--base-path=" + basePath, "--listen=127.0.0.1", "--port=" + port, basePath },
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var process = Process.Start(start)!;
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            if (await ListensAsync(process, port))
            {
                return new GitDaemon(process, port);
            }

            await StopAsync(process);
            if (attempt == Attempts)
            {
                throw new InvalidOperationException($"git daemon did not start listening on 127.0.0.1 in {Attempts} attempts");
            }
        }
    }

    public string Url(string repository) => $"git://127.0.0.1:{Port}/{repository}";

    public ValueTask DisposeAsync() => new(StopAsync(_process));

    private static async Task StopAsync(Process process)
    {
        // With the children it forked for connections still being served.
        process.Kill(entireProcessTree: true);

        await process.WaitForExitAsync();
        process.Dispose();
    }

    private static async Task<bool> ListensAsync(Process process, int port)
    {
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(20) && !process.HasExited; waited += TimeSpan.FromMilliseconds(50))
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port);
                return !process.HasExited;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        return false;
    }
}

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
