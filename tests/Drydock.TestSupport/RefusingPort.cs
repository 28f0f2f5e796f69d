using System.Net;
using System.Net.Sockets;

namespace Drydock.TestSupport;

/// <summary>
/// A loopback port bound but not listening until disposed: connecting to it is refused, and no
/// other test can take the port meanwhile. The address of a registry or server that is gone.
/// </summary>
public sealed class RefusingPort : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public RefusingPort()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
    }

    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public void Dispose() => _socket.Dispose();
}
