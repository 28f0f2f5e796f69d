namespace Drydock.Sandbox;

/// <summary>Runs a RUN instruction's command against an image's root filesystem.</summary>
public interface ISandbox
{
    /// <summary>
    /// Runs the command to completion and returns its exit code (128+N when signal N killed it,
    /// 127 when it was not found, 126 when it could not be executed). Each line the command writes
    /// to stdout or stderr reaches <paramref name="onOutputLine"/> in order, without its line end.
    /// Cancelling kills the command and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <exception cref="SandboxException">The sandbox itself could not be set up.</exception>
    /// <exception cref="ExecFormatException">The kernel cannot execute the command's program (exec format error).</exception>
    Task<int> RunAsync(SandboxRequest request, Action<string> onOutputLine, CancellationToken ct);
}
