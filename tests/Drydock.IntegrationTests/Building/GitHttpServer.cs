using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Drydock.IntegrationTests.Building;

/// <summary>
/// git's smart HTTP protocol on 127.0.0.1: an <see cref="HttpStubServer"/> that runs
/// <c>git http-backend</c> as a CGI program for each request, serving the bare repositories of
/// one directory at <c>http://127.0.0.1:PORT/NAME.git</c>. With a user and password it answers
/// 401 to any request without them, as a protected host does. <see cref="StartTlsAsync"/> serves it
/// over https instead, with a certificate of a throwaway CA.
/// </summary>
internal sealed class GitHttpServer : IDisposable
{
    private readonly string _root;
    private readonly string? _expectedAuthorization;
    private readonly string _backend;
    private readonly HttpStubServer _server;
    private TlsTerminator? _tls;

    private GitHttpServer(string root, string backend, (string User, string Password)? credentials)
    {
        _root = root;
        _backend = backend;
        _expectedAuthorization = credentials is { } c ? "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{c.User}:{c.Password}")) : null;
        _server = new HttpStubServer(ServeAsync);
    }

    /// <summary><c>127.0.0.1:PORT</c>, as a kaniko git:// context names the host (the https side when served over TLS).</summary>
    public string Host => _tls?.Host ?? _server.Host;

    /// <summary>The CA that signed the https certificate (<see cref="StartTlsAsync"/> only).</summary>
    public string? CaCertificatePath { get; private set; }

    public static async Task<GitHttpServer> StartAsync(string root, (string User, string Password)? credentials = null)
    {
        var execPath = (await ToolRunner.RunCheckedAsync("git", ["--exec-path"])).StandardOutput.Trim();
        return new GitHttpServer(root, Path.Combine(execPath, "git-http-backend"), credentials);
    }

    /// <summary>Serves <paramref name="root"/> over https at <see cref="Host"/>, with a certificate for 127.0.0.1 made in <paramref name="certificates"/>.</summary>
    public static async Task<GitHttpServer> StartTlsAsync(string root, string certificates)
    {
        await TestCertificates.CreateServerAsync(certificates);
        var server = await StartAsync(root);
        var certificate = X509Certificate2.CreateFromPemFile(Path.Combine(certificates, "server.crt"), Path.Combine(certificates, "server.key"));
        server._tls = new TlsTerminator(certificate, server._server.Port);
        server.CaCertificatePath = Path.Combine(certificates, "ca.crt");
        return server;
    }

    public void Dispose()
    {
        _tls?.Dispose();
        _server.Dispose();
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var request = context.Request;
        if (_expectedAuthorization is not null && request.Headers["Authorization"] != _expectedAuthorization)
        {
            context.Response.AddHeader("WWW-Authenticate", "Basic realm=\"git\"");
            await HttpStubServer.ReplyAsync(context, 401, "authentication required");
            return;
        }

        var start = new ProcessStartInfo(_backend)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["GIT_PROJECT_ROOT"] = _root,
                ["GIT_HTTP_EXPORT_ALL"] = "1",
                ["REQUEST_METHOD"] = request.HttpMethod,
                ["PATH_INFO"] = Uri.UnescapeDataString(request.Url!.AbsolutePath),
                ["QUERY_STRING"] = request.Url.Query.TrimStart('?'),
                ["CONTENT_TYPE"] = request.ContentType ?? "",
                ["HTTP_CONTENT_ENCODING"] = request.Headers["Content-Encoding"] ?? "",
                ["GIT_PROTOCOL"] = request.Headers["Git-Protocol"] ?? "",
                ["REMOTE_USER"] = _expectedAuthorization is null ? "" : "user",
                ["REMOTE_ADDR"] = "127.0.0.1",
            },
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(output);
        await request.InputStream.CopyToAsync(process.StandardInput.BaseStream);
        process.StandardInput.Close();
        await copyOut;
        await process.WaitForExitAsync();
        await error;

        // A CGI reply: header lines, a blank line, the body.
        var bytes = output.ToArray();
        var split = IndexOf(bytes, "\r\n\r\n"u8, out var separator);
        var headers = Encoding.ASCII.GetString(bytes, 0, split).Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
        var response = context.Response;
        response.StatusCode = 200;
        foreach (var header in headers)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            var (name, value) = (header[..colon], header[(colon + 1)..].Trim());
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                response.StatusCode = int.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                response.ContentType = value;
            }
            else if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                response.AddHeader(name, value);
            }
        }

        var body = bytes.AsMemory(split + separator);
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
    }

    // http-backend ends its headers with CRLF pairs; a bare LF pair is taken too.
    private static int IndexOf(byte[] bytes, ReadOnlySpan<byte> crlf, out int separator)
    {
        var at = bytes.AsSpan().IndexOf(crlf);
        if (at >= 0)
        {
            separator = crlf.Length;
            return at;
        }

        separator = 2;
        return bytes.AsSpan().IndexOf("\n\n"u8);
    }
}
