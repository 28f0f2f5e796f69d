using System.Collections.Concurrent;
using Drydock.Sandbox;

namespace Drydock.Tests.Building;

/// <summary>
/// A sandbox that runs nothing: it records each request and, as a RUN would, writes a file into
/// the step's rootfs (<c>/ran/N</c>, holding the command), so the step has a change to snapshot.
/// </summary>
internal sealed class RecordingSandbox : ISandbox
{
    private readonly ConcurrentQueue<SandboxRequest> _requests = new();

    public IReadOnlyList<SandboxRequest> Requests => [.. _requests];

    /// <summary>The last word of each command run, in order (the shell text of a shell-form RUN).</summary>
    public IReadOnlyList<string> Commands => [.. _requests.Select(r => r.Argv[^1])];

    /// <summary>The exit code every command ends with.</summary>
    public int ExitCode { get; init; }

    public async Task<int> RunAsync(SandboxRequest request, Action<string> onOutputLine, CancellationToken ct)
    {
        _requests.Enqueue(request);
        var directory = Path.Combine(request.Rootfs, "ran");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, _requests.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)), string.Join(' ', request.Argv), ct);
        onOutputLine($"ran {request.Argv[^1]}");
        return ExitCode;
    }
}
