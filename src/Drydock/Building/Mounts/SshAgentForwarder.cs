using System.Net.Sockets;
using Drydock.Native;

namespace Drydock.Building.Mounts;

/// <summary>
/// A socket of our own that passes every connection on to an ssh agent, as BuildKit's sshforward
/// does. A RUN gets this one, never the agent's: its owner and mode are the mount's
/// (<c>uid</c>, <c>gid</c>, <c>mode</c>) without touching the user's agent socket, and it stops
/// answering when the RUN is over.
/// </summary>
internal sealed class SshAgentForwarder : IDisposable
{
    private readonly Socket _listener;
    private readonly string _agent;
    private readonly CancellationTokenSource _stop = new();

    private SshAgentForwarder(Socket listener, string agent)
    {
        _listener = listener;
        _agent = agent;
    }

    /// <summary>Listens at <paramref name="path"/> (a new file, owned and moded as given) for the agent at <paramref name="agent"/>.</summary>
    public static SshAgentForwarder Start(string agent, string path, uint uid, uint gid, UnixFileMode mode)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            // chown before chmod: changing the owner clears setuid and setgid bits.
            NativeFiles.Lchown(path, uid, gid);
            NativeFiles.Chmod(path, mode);
            listener.Listen();
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        var forwarder = new SshAgentForwarder(listener, agent);
        _ = forwarder.AcceptAsync();
        return forwarder;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return; // the RUN is over
            }

            _ = ForwardAsync(client, stop);
        }
    }

    private async Task ForwardAsync(Socket client, CancellationToken stop)
    {
        using (client)
        using (var agent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                await agent.ConnectAsync(new UnixDomainSocketEndPoint(_agent), stop).ConfigureAwait(false);
                await using var fromClient = new NetworkStream(client, ownsSocket: false);
                await using var toAgent = new NetworkStream(agent, ownsSocket: false);

                // Either side closing ends the conversation; the other copy stops with the sockets.
                await Task.WhenAny(fromClient.CopyToAsync(toAgent, stop), toAgent.CopyToAsync(fromClient, stop)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // A client that left, or an agent that went away: the command sees a closed connection.
            }
        }
    }
}
