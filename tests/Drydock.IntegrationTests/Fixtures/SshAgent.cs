using System.Diagnostics;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>
/// A real <c>ssh-agent</c> in the foreground (<c>-D</c>) at a socket of its own, holding a fresh
/// ed25519 key; stopped through its process handle.
/// </summary>
public sealed class SshAgent : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly Process _process;

    private SshAgent(TempDirectory directory, Process process, string fingerprint)
    {
        _directory = directory;
        _process = process;
        Fingerprint = fingerprint;
    }

    public string SocketPath => _directory.Combine("agent.sock");

    /// <summary>The key's SHA256 fingerprint, as <c>ssh-add -l</c> lists it.</summary>
    public string Fingerprint { get; }

    public static async Task<SshAgent> StartAsync()
    {
        // Short: a socket's path is limited to 107 bytes.
        var directory = new TempDirectory("dd-ssh-");
        var socket = directory.Combine("agent.sock");
        var process = Process.Start(new ProcessStartInfo("ssh-agent")
        {
            ArgumentList = { "-D", "-a", socket },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var waited = 0; !File.Exists(socket); waited++)
        {
            if (process.HasExited || waited == 400)
            {
                process.Kill();
                directory.Dispose();
                throw new InvalidOperationException("ssh-agent did not create its socket within 20 s");
            }

            await Task.Delay(50);
        }

        var key = directory.Combine("id_ed25519");
        await ToolRunner.RunCheckedAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "drydock-test", "-f", key]);
        await ToolRunner.RunCheckedAsync("ssh-add", ["-q", key], new ToolOptions { Environment = new Dictionary<string, string?> { ["SSH_AUTH_SOCK"] = socket } });
        var fingerprint = (await ToolRunner.RunCheckedAsync("ssh-keygen", ["-l", "-f", key])).StandardOutput.Split(' ')[1];
        return new SshAgent(directory, process, fingerprint);
    }

    /// <summary>What <c>ssh-add -l</c> lists through the agent socket at <paramref name="socket"/>.</summary>
    public static Task<ToolResult> ListKeysAsync(string socket) =>
        ToolRunner.RunAsync("ssh-add", ["-l"], new ToolOptions { Environment = new Dictionary<string, string?> { ["SSH_AUTH_SOCK"] = socket } });

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        _directory.Dispose();
    }
}
