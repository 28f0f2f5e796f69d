using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>
/// A forward HTTP proxy on 127.0.0.1, as corporate networks have: absolute-form requests for plain
/// HTTP and CONNECT tunnels for HTTPS, optionally demanding Basic proxy credentials (407 first).
/// Whatever host a client asks for, the proxy connects to 127.0.0.1 at the asked port, so tests can
/// use names that resolve nowhere (<c>registry.test:PORT</c>) and still never leave loopback.
/// </summary>
public sealed class ForwardProxy : LoopbackTcpServer
{
    private readonly ConcurrentQueue<string> _targets = new();
    private int _refused;

    public ForwardProxy(string? user = null, string? password = null)
    {
        ExpectedAuthorization = user is null ? null : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
    }

    /// <summary>The proxy URL for HTTP_PROXY / HTTPS_PROXY (credentials are the caller's to add).</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary>Every method and target the proxy was asked for (<c>CONNECT registry.test:443</c>, <c>GET http://…</c>), once authorised.</summary>
    public IReadOnlyList<string> Targets => [.. _targets];

    /// <summary>How many requests were refused with 407 for missing or wrong credentials.</summary>
    public int Refused => _refused;

    private string? ExpectedAuthorization { get; }

    protected override async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream);
                var lines = Encoding.Latin1.GetString(head).Split("\r\n");
                var parts = lines[0].Split(' ');
                var (method, target) = (parts[0], parts[1]);
                var authorization = lines.FirstOrDefault(l => l.StartsWith("Proxy-Authorization:", StringComparison.OrdinalIgnoreCase))?["Proxy-Authorization:".Length..].Trim();
                if (ExpectedAuthorization is not null && authorization != ExpectedAuthorization)
                {
                    Interlocked.Increment(ref _refused);
                    await stream.WriteAsync(Encoding.Latin1.GetBytes("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test-proxy\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
                    return;
                }

                _targets.Enqueue($"{method} {target}");
                var authority = method == "CONNECT" ? target : new Uri(target).Authority;
                var port = int.Parse(authority[(authority.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                using var upstream = new TcpClient();
                await upstream.ConnectAsync(IPAddress.Loopback, port, Stopping);
                if (method == "CONNECT")
                {
                    await stream.WriteAsync("HTTP/1.1 200 Connection Established\r\n\r\n"u8.ToArray());
                }
                else
                {
                    // The registry (Go's net/http) takes absolute-form request targets as they are.
                    await upstream.GetStream().WriteAsync(head);
                }

                using var done = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
                await Task.WhenAny(
                    stream.CopyToAsync(upstream.GetStream(), done.Token),
                    upstream.GetStream().CopyToAsync(stream, done.Token));
                await done.CancelAsync();
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or FormatException)
            {
                // Either side went away.
            }
        }
    }

    /// <summary>Reads up to and including the empty line; a proxied client sends nothing more before the reply.</summary>
    private static async Task<byte[]> ReadHeadAsync(NetworkStream stream)
    {
        var head = new MemoryStream();
        var one = new byte[1];
        while (head.Length < 64 * 1024)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new IOException("closed before the request head ended");
            }

            head.WriteByte(one[0]);
            if (head.Length >= 4 && head.GetBuffer().AsSpan((int)head.Length - 4, 4).SequenceEqual("\r\n\r\n"u8))
            {
                return head.ToArray();
            }
        }

        throw new IOException("request head too large");
    }
}
