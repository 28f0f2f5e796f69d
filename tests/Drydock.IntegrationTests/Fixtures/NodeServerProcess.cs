using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>
/// A server from npm (installed by scripts/install-node-tools.sh) running on 127.0.0.1 at a free
/// port until disposed, when it is killed by its pid with its children. Start retries with another
/// port when the one found free was taken before the server bound it.
/// </summary>
public sealed class NodeServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private NodeServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>What the server printed, for a failing test's message.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The path of an installed tool's command (e.g. <c>s3rver</c>).</summary>
    public static string Tool(string name)
    {
        var prefix = Environment.GetEnvironmentVariable("DRYDOCK_NODE_TOOLS") is { Length: > 0 } p ? p : "/var/cache/drydock-tests/node";
        var path = Path.Combine(prefix, "node_modules", ".bin", name);
        return File.Exists(path) ? path : throw new InvalidOperationException($"{name} is not installed at {path}: run scripts/install-node-tools.sh");
    }

    /// <summary>Starts <paramref name="tool"/> with the arguments <paramref name="arguments"/> makes for a port, and waits until the port accepts connections.</summary>
    public static async Task<NodeServerProcess> StartAsync(string tool, Func<int, IEnumerable<string>> arguments)
    {
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = LoopbackPort.Free();
            var start = new ProcessStartInfo(Tool(tool)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments(port))
            {
                start.ArgumentList.Add(argument);
            }

            // No update checks or telemetry: the tests talk to loopback only.
            start.Environment["NO_UPDATE_NOTIFIER"] = "1";
            var server = new NodeServerProcess(new Process { StartInfo = start }, port);
            try
            {
                await server.RunUntilReadyAsync();
                return server;
            }
            catch (InvalidOperationException e)
            {
                last = e;
                server.Dispose();
            }
        }

        throw new InvalidOperationException($"{tool} did not start.", last);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // It never started.
        }

        _process.Dispose();
    }

    private async Task RunUntilReadyAsync()
    {
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{_process.StartInfo.FileName} exited with {_process.ExitCode}:\n{Log}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException($"{_process.StartInfo.FileName} did not listen on 127.0.0.1:{Port} within 60 s:\n{Log}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
