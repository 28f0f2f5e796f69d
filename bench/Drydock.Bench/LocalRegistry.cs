using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Drydock.Bench;

/// <summary>
/// A real registry (Debian's <c>docker-registry</c>, CNCF distribution) on 127.0.0.1 at a free
/// port, plain HTTP, storing into a temp directory. Disposing stops it and removes its storage.
/// The integration tests' fixture does more (TLS, auth, proxying); a bench needs only this.
/// </summary>
internal sealed class LocalRegistry : IAsyncDisposable
{
    private readonly string _work;
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private LocalRegistry(string work, int port, Process process)
    {
        _work = work;
        Host = $"127.0.0.1:{port}";
        _process = process;
    }

    /// <summary><c>127.0.0.1:PORT</c>, the registry part of references to it.</summary>
    public string Host { get; }

    private string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<LocalRegistry> StartAsync(CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("drydock-bench-registry-").FullName;
        var port = FreePort();
        var config = Path.Combine(work, "config.yml");

        // Errors only: at info level distribution logs every request, and nobody reads it here.
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: error
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {Path.Combine(work, "storage")}
            http:
              addr: 127.0.0.1:{port}
              secret: drydock-bench

            """, cancellationToken);
        var start = new ProcessStartInfo("docker-registry") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        var registry = new LocalRegistry(work, port, Process.Start(start) ?? throw new InvalidOperationException("docker-registry did not start"));
        try
        {
            await registry.WaitUntilReadyAsync(cancellationToken);
            return registry;
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"docker-registry exited with {_process.ExitCode}:\n{Log}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"http://{Host}/v2/"), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Listening, but slow to answer while it starts.
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new InvalidOperationException($"docker-registry did not answer on {Host} within 30 s:\n{Log}");
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
