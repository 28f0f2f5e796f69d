using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Drydock.Oci;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>One request the storage server received, with the headers the tests look at.</summary>
public sealed record StorageRequest(string Method, string Path, string? Range, string? Authorization)
{
    /// <summary>True for the blob's data file (<c>…/blobs/sha256/ab/abcd…/data</c>, distribution's storage layout).</summary>
    public bool IsBlob(Digest digest) => Path.EndsWith($"/{digest.Algorithm}/{digest.Hex[..2]}/{digest.Hex}/data", StringComparison.Ordinal);
}

/// <summary>
/// The object store a registry's blob GETs are redirected to (distribution's <c>redirect</c> storage
/// middleware, as S3 or a CDN behind Docker Hub): serves the registry's storage directory read-only
/// on 127.0.0.1, over TLS when given a certificate, with HEAD and single <c>bytes=N-</c> ranges. Every
/// request is recorded with its Authorization header, so tests can see credentials that should not
/// have come. <see cref="Faults"/> may drop a reply midway (<see cref="Fault.DropAfter"/>) or refuse
/// it (<see cref="Fault.Status"/>, a 401 with its challenge).
/// </summary>
public sealed class BlobStorageServer : LoopbackTcpServer
{
    private const int MaxHead = 64 * 1024;

    private readonly string _root;
    private readonly X509Certificate2? _certificate;
    private readonly ConcurrentQueue<StorageRequest> _requests = new();

    public BlobStorageServer(string root, X509Certificate2? certificate)
    {
        _root = Path.GetFullPath(root);
        _certificate = certificate;
    }

    /// <summary>What a registry's <c>baseurl</c> names: <c>http(s)://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUri => new($"{(_certificate is null ? "http" : "https")}://127.0.0.1:{Port}/");

    /// <summary>Decides the fault for each request; null serves it. Only <see cref="Fault.DropAfter"/> and <see cref="Fault.Status"/> apply.</summary>
    public Func<StorageRequest, Fault?> Faults { get; set; } = _ => null;

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<StorageRequest> Requests => [.. _requests];

    protected override async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                Stream stream = client.GetStream();
                if (_certificate is not null)
                {
                    var tls = new SslStream(stream);
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, Stopping);
                    stream = tls;
                }

                await using (stream)
                {
                    while (await ReadHeadAsync(stream) is { } head)
                    {
                        var request = Parse(head);
                        _requests.Enqueue(request);
                        if (!await AnswerAsync(stream, request, Faults(request)))
                        {
                            return;
                        }
                    }
                }
            }
            catch (Exception e) when (e is IOException or SocketException or AuthenticationException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away, or a fault closed the connection on purpose.
            }
        }
    }

    /// <summary>Answers one request; false when the connection is to be closed.</summary>
    private async Task<bool> AnswerAsync(Stream stream, StorageRequest request, Fault? fault)
    {
        if (fault is Fault.Status status)
        {
            await FaultProxy.WriteStatusAsync(stream, status);
            return false;
        }

        var path = Path.GetFullPath(Path.Combine(_root, Uri.UnescapeDataString(request.Path.Split('?')[0]).TrimStart('/')));
        if (request.Method is not ("GET" or "HEAD") || !path.StartsWith(_root + "/", StringComparison.Ordinal) || !File.Exists(path))
        {
            await WriteHeadAsync(stream, request.Method is "GET" or "HEAD" ? "404 Not Found" : "405 Method Not Allowed", 0, null);
            return true;
        }

        await using var file = File.OpenRead(path);
        var from = RangeStart(request.Range) is { } start && start < file.Length ? start : 0;
        var length = file.Length - from;
        var contentRange = request.Range is not null && from > 0 ? $"bytes {from}-{file.Length - 1}/{file.Length}" : null;
        await WriteHeadAsync(stream, contentRange is null ? "200 OK" : "206 Partial Content", length, contentRange);
        if (request.Method == "HEAD")
        {
            return true;
        }

        file.Position = from;
        if (fault is Fault.DropAfter drop)
        {
            var buffer = new byte[(int)Math.Min(drop.BodyBytes, length)];
            await file.ReadExactlyAsync(buffer, Stopping);
            await stream.WriteAsync(buffer, Stopping);
            await stream.FlushAsync(Stopping);
            return false;
        }

        await file.CopyToAsync(stream, Stopping);
        await stream.FlushAsync(Stopping);
        return true;
    }

    private async Task WriteHeadAsync(Stream stream, string status, long length, string? contentRange)
    {
        var head = new StringBuilder($"HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nAccept-Ranges: bytes\r\nContent-Length: {length}\r\n");
        if (contentRange is not null)
        {
            head.Append($"Content-Range: {contentRange}\r\n");
        }

        await stream.WriteAsync(Encoding.Latin1.GetBytes(head.Append("\r\n").ToString()), Stopping);
    }

    /// <summary>The head of the next request (GET and HEAD carry no body), or null when the client closed between requests.</summary>
    private async Task<string?> ReadHeadAsync(Stream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, Stopping) == 0)
            {
                return head.Length == 0 ? null : throw new IOException("the connection closed inside a request head");
            }

            if (head.Append((char)one[0]).Length > MaxHead)
            {
                throw new IOException("the request head is too long");
            }
        }

        return head.ToString();
    }

    private static StorageRequest Parse(string head)
    {
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        string? Header(string name) => lines.Skip(1).FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim();
        return new StorageRequest(parts[0], parts.Length > 1 ? parts[1] : "", Header("Range"), Header("Authorization"));
    }

    /// <summary>N of <c>bytes=N-</c>, the only form Drydock sends; anything else is served whole.</summary>
    private static long? RangeStart(string? range) =>
        range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-') &&
        long.TryParse(range["bytes=".Length..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? start
            : null;
}
