using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// python3's http.server serving one directory on 127.0.0.1, at a port it picks itself and
/// prints (so no two tests race for a free port), sending Last-Modified from each file's mtime.
/// Stopped through its own process handle.
/// </summary>
internal sealed partial class AddHttpServer : IAsyncDisposable
{
    private readonly Process _process;

    private AddHttpServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<AddHttpServer> StartAsync(string directory)
    {
        var start = new ProcessStartInfo("python3")
        {
            ArgumentList = { "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", directory },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = new Process { StartInfo = start };
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && ServingLine().Match(e.Data) is { Success: true } match)
            {
                port.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };

        // The request log goes to stderr; it must be drained or a full pipe stalls the server.
        process.ErrorDataReceived += (_, _) => { };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new AddHttpServer(process, await port.Task.WaitAsync(TimeSpan.FromSeconds(20)));
        }
        catch (TimeoutException)
        {
            process.Kill();
            process.Dispose();
            throw new InvalidOperationException("python3 -m http.server did not report its port within 20 s");
        }
    }

    public string Url(string name) => $"http://127.0.0.1:{Port}/{name}";

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"port (\d+)")]
    private static partial Regex ServingLine();
}
