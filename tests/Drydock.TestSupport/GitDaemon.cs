using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Drydock.TestSupport;

/// <summary>
/// <c>git daemon</c> serving the bare repositories of one directory over git:// on 127.0.0.1, at a
/// free port, stopped through its own process handle. It cannot report the port it picked, so a
/// free one is chosen first and taken again should another process win it meanwhile.
/// </summary>
/// <remarks>
/// git-daemon is started itself, not through the <c>git</c> wrapper, which would leave it running
/// (and holding our pipe) when only the wrapper is stopped.
/// </remarks>
public sealed class GitDaemon : IAsyncDisposable
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
        var execPath = await ExecPathAsync();
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

    private static async Task<string> ExecPathAsync()
    {
        using var git = Process.Start(new ProcessStartInfo("git", ["--exec-path"]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = await git.StandardOutput.ReadToEndAsync();
        await git.WaitForExitAsync();
        return git.ExitCode == 0 ? output.Trim() : throw new InvalidOperationException($"git --exec-path exited with {git.ExitCode}");
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
