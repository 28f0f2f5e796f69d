using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>
/// TLS in front of a plain loopback server (HttpListener serves no https on Linux): each
/// connection is accepted with <paramref name="certificate"/> and its bytes relayed both ways to
/// 127.0.0.1:<paramref name="backendPort"/> until either side closes.
/// </summary>
public sealed class TlsTerminator(X509Certificate2 certificate, int backendPort) : LoopbackTcpServer
{
    /// <summary><c>127.0.0.1:PORT</c> of the TLS side.</summary>
    public string Host => $"127.0.0.1:{Port}";

    protected override async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, Stopping);
                using var backend = new TcpClient();
                await backend.ConnectAsync(IPAddress.Loopback, backendPort, Stopping);
                await using var plain = backend.GetStream();
                await Task.WhenAny(RelayAsync(tls, plain), RelayAsync(plain, tls));
            }
            catch (Exception e) when (e is IOException or SocketException or AuthenticationException or OperationCanceledException or ObjectDisposedException)
            {
                // A client that refuses the certificate ends the handshake: what the tests provoke.
            }
        }
    }

    private async Task RelayAsync(Stream from, Stream to)
    {
        await from.CopyToAsync(to, Stopping);
        await to.FlushAsync(Stopping);
    }
}
