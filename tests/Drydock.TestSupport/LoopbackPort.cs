using System.Net;
using System.Net.Sockets;

namespace Drydock.TestSupport;

/// <summary>Ports on 127.0.0.1 for servers the tests start themselves.</summary>
public static class LoopbackPort
{
    /// <summary>
    /// A port the kernel found free a moment ago. Another process may take it before the caller
    /// binds it, so a server started on it retries with a new port when binding fails.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
