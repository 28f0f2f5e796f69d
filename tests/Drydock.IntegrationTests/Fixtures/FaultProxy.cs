using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Drydock.Reference;

namespace Drydock.IntegrationTests.Fixtures;

/// <summary>A fault the proxy injects into one request.</summary>
public abstract record Fault
{
    /// <summary>
    /// Answers with this status (and Retry-After seconds, a WWW-Authenticate challenge, or the
    /// registry error code and message a real registry sends) instead of passing the request on.
    /// </summary>
    public sealed record Status(HttpStatusCode Code, int? RetryAfterSeconds = null, string? Challenge = null, string ErrorCode = "INJECTED", string ErrorMessage = "fault injected by the test proxy") : Fault;

    /// <summary>Closes the connection without an answer; the request never reaches the registry.</summary>
    public sealed record Drop : Fault;

    /// <summary>Passes the request on, relays the reply's head and this many body bytes, then closes the connection.</summary>
    public sealed record DropAfter(long BodyBytes) : Fault;

    /// <summary>Passes the request on, relays the head and this many body bytes, then sends nothing for a while and closes.</summary>
    public sealed record StallAfter(long BodyBytes, TimeSpan Duration) : Fault;

    /// <summary>
    /// Takes this many bytes of the request body, then reads no more of it and answers nothing for
    /// a while, and closes: a stalled upload. The request never reaches the registry.
    /// </summary>
    public sealed record StallRequestAfter(long BodyBytes, TimeSpan Duration) : Fault;

    /// <summary>Waits this long before passing the request on (slow headers).</summary>
    public sealed record Delay(TimeSpan Duration) : Fault;

    /// <summary>Relays the reply body in chunks of this size with a pause after each (a slow link).</summary>
    public sealed record Trickle(int ChunkSize, TimeSpan Pause) : Fault;
}

/// <summary>One request the proxy saw and the fault it met (null: passed through untouched).</summary>
public sealed record ProxiedRequest(string Method, string Path, string? Range, DateTimeOffset At, Fault? Fault = null)
{
    public bool IsBlobUpload => Path.Contains("/blobs/uploads/", StringComparison.Ordinal);

    public bool IsBlob(string digest) => Path.EndsWith("/blobs/" + digest, StringComparison.Ordinal);

    public bool IsManifest => Path.Contains("/manifests/", StringComparison.Ordinal);
}

/// <summary>
/// A fault-injecting HTTP/1.1 proxy on 127.0.0.1 in front of a plain-HTTP registry: clients talk
/// to it as if it were the registry (it forwards the Host header, so the registry's upload
/// locations point back at it), and <see cref="Faults"/> decides per request whether to pass it
/// on or to fail it: a status (500, 429 with Retry-After), a dropped connection before the reply or
/// midway through its body, a stall of the reply or of the request body, a delay, a trickle. Every request is recorded.
/// </summary>
public sealed class FaultProxy : LoopbackTcpServer
{
    private const int MaxHead = 64 * 1024;

    private readonly int _upstreamPort;
    private readonly ConcurrentQueue<ProxiedRequest> _requests = new();
    private readonly List<(Func<ProxiedRequest, bool> Match, TaskCompletionSource<ProxiedRequest> Seen)> _waiters = [];
    private readonly Lock _gate = new();

    public FaultProxy(RegistryServer upstream)
    {
        if (upstream.UsesTls)
        {
            throw new ArgumentException("The fault proxy speaks plain HTTP only.", nameof(upstream));
        }

        _upstreamPort = upstream.Port;
    }

    /// <summary><c>127.0.0.1:PORT</c>: use it as the registry of references.</summary>
    public string Host => $"127.0.0.1:{Port}";

    /// <summary>Decides the fault for each request (called once per request, in order); null passes it through.</summary>
    public Func<ProxiedRequest, Fault?> Faults { get; set; } = _ => null;

    /// <summary>Every request so far, in arrival order, with the fault it met.</summary>
    public IReadOnlyList<ProxiedRequest> Requests => [.. _requests];

    /// <summary>The first request, already seen or still to come, that matches: a signal to wait on instead of polling.</summary>
    public Task<ProxiedRequest> RequestAsync(Func<ProxiedRequest, bool> match)
    {
        lock (_gate)
        {
            if (_requests.FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }

            var waiter = new TaskCompletionSource<ProxiedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, waiter));
            return waiter.Task;
        }
    }

    public ImageReference Reference(string repositoryAndTag) => ImageReference.Parse($"{Host}/{repositoryAndTag}");

    private void Record(ProxiedRequest request)
    {
        lock (_gate)
        {
            _requests.Enqueue(request);
            foreach (var waiter in _waiters.Where(w => w.Match(request)).ToList())
            {
                waiter.Seen.TrySetResult(request);
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Serves one client connection, request after request, over one upstream connection.</summary>
    protected override async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            TcpClient? upstream = null;
            try
            {
                var fromClient = new HttpReader(client.GetStream());
                HttpReader? fromUpstream = null;
                while (await fromClient.ReadHeadAsync(Stopping) is { } head)
                {
                    var request = ParseRequest(head);
                    var fault = Faults(request);
                    Record(request with { Fault = fault });
                    switch (fault)
                    {
                        case Fault.Drop:
                            return;
                        case Fault.Status status:
                            // Take the whole request first, as a registry would before failing it.
                            await fromClient.RelayBodyAsync(head, new Sink(Stream.Null, null), Stopping);
                            await WriteStatusAsync(client.GetStream(), status);
                            return;
                        case Fault.StallRequestAfter stall:
                            // The sink stalls once the bytes are taken; a shorter body stalls for want of a reply.
                            await fromClient.RelayBodyAsync(head, new Sink(Stream.Null, new Fault.StallAfter(stall.BodyBytes, stall.Duration)), Stopping);
                            await Task.Delay(stall.Duration, Stopping);
                            return;
                        case Fault.Delay delay:
                            await Task.Delay(delay.Duration, Stopping);
                            break;
                    }

                    if (upstream is null)
                    {
                        upstream = new TcpClient();
                        await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, Stopping);
                        fromUpstream = new HttpReader(upstream.GetStream());
                    }

                    await upstream.GetStream().WriteAsync(head, Stopping);
                    await fromClient.RelayBodyAsync(head, new Sink(upstream.GetStream(), null), Stopping);
                    var reply = await fromUpstream!.ReadHeadAsync(Stopping) ?? throw new IOException("the registry closed the connection");
                    await client.GetStream().WriteAsync(reply, Stopping);
                    if (request.Method != "HEAD" && HasBody(reply))
                    {
                        await fromUpstream.RelayBodyAsync(reply, new Sink(client.GetStream(), fault), Stopping);
                    }

                    if (ClosesConnection(head) || ClosesConnection(reply))
                    {
                        return;
                    }
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or DroppedException)
            {
                // A dropped connection is what some faults are for; either side may also just go away.
            }
            finally
            {
                upstream?.Dispose();
            }
        }
    }

    private static ProxiedRequest ParseRequest(byte[] head)
    {
        var lines = Encoding.Latin1.GetString(head).Split("\r\n");
        var parts = lines[0].Split(' ');
        var range = lines.Skip(1).FirstOrDefault(l => l.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))?["Range:".Length..].Trim();
        return new ProxiedRequest(parts[0], parts.Length > 1 ? parts[1] : "", range, DateTimeOffset.UtcNow);
    }

    /// <summary>Writes a status fault's reply (a registry-style JSON error) and asks the client to close the connection.</summary>
    internal static async Task WriteStatusAsync(Stream client, Fault.Status status)
    {
        var error = new JsonObject { ["code"] = status.ErrorCode, ["message"] = status.ErrorMessage };
        var body = Encoding.UTF8.GetBytes(new JsonObject { ["errors"] = new JsonArray(error) }.ToJsonString());
        var head = new StringBuilder($"HTTP/1.1 {(int)status.Code} {status.Code}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n");
        if (status.RetryAfterSeconds is { } seconds)
        {
            head.Append($"Retry-After: {seconds}\r\n");
        }

        if (status.Challenge is not null)
        {
            head.Append($"WWW-Authenticate: {status.Challenge}\r\n");
        }

        await client.WriteAsync(Encoding.Latin1.GetBytes(head.Append("\r\n").ToString()));
        await client.WriteAsync(body);
    }

    private static string? Header(byte[] head, string name) =>
        Encoding.Latin1.GetString(head).Split("\r\n").Skip(1)
            .FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim();

    private static bool ClosesConnection(byte[] head) => string.Equals(Header(head, "Connection"), "close", StringComparison.OrdinalIgnoreCase);

    private static bool HasBody(byte[] replyHead)
    {
        var status = int.Parse(Encoding.Latin1.GetString(replyHead).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        return status is >= 200 and not 204 and not 304;
    }

    private sealed class DroppedException : Exception;

    /// <summary>Where relayed body bytes go, with the reply fault applied to them.</summary>
    private sealed class Sink(Stream target, Fault? fault)
    {
        private long _written;

        public async Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            switch (fault)
            {
                case Fault.DropAfter drop when _written + data.Length > drop.BodyBytes:
                    await target.WriteAsync(data[..(int)(drop.BodyBytes - _written)], cancellationToken);
                    throw new DroppedException();
                case Fault.StallAfter stall when _written + data.Length > stall.BodyBytes:
                    await target.WriteAsync(data[..(int)(stall.BodyBytes - _written)], cancellationToken);
                    await target.FlushAsync(cancellationToken);
                    await Task.Delay(stall.Duration, cancellationToken);
                    throw new DroppedException();
                case Fault.Trickle trickle:
                    for (var offset = 0; offset < data.Length; offset += trickle.ChunkSize)
                    {
                        await target.WriteAsync(data.Slice(offset, Math.Min(trickle.ChunkSize, data.Length - offset)), cancellationToken);
                        await Task.Delay(trickle.Pause, cancellationToken);
                    }

                    break;
                default:
                    await target.WriteAsync(data, cancellationToken);
                    break;
            }

            _written += data.Length;
        }

        public Task FlushAsync(CancellationToken cancellationToken) => target.FlushAsync(cancellationToken);
    }

    /// <summary>Reads HTTP/1.1 message heads and bodies off a connection, with its own buffer.</summary>
    private sealed class HttpReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        /// <summary>The head up to and including the empty line, or null when the peer closed between messages.</summary>
        public async Task<byte[]?> ReadHeadAsync(CancellationToken cancellationToken)
        {
            var head = new MemoryStream();
            while (true)
            {
                var line = await ReadLineAsync(cancellationToken);
                if (line is null)
                {
                    return head.Length == 0 ? null : throw new IOException("the connection closed inside a message head");
                }

                head.Write(line);
                if (line.Length == 2 || head.Length > MaxHead)
                {
                    return head.ToArray();
                }
            }
        }

        /// <summary>Relays the body the head announces (Content-Length or chunked) through the sink.</summary>
        public async Task RelayBodyAsync(byte[] head, Sink sink, CancellationToken cancellationToken)
        {
            if (string.Equals(Header(head, "Transfer-Encoding"), "chunked", StringComparison.OrdinalIgnoreCase))
            {
                while (true)
                {
                    var sizeLine = await ReadLineAsync(cancellationToken) ?? throw new IOException("the chunked body ended early");
                    await sink.WriteAsync(sizeLine, cancellationToken);
                    var size = Convert.ToInt64(Encoding.Latin1.GetString(sizeLine).Split(';')[0].Trim(), 16);
                    if (size == 0)
                    {
                        // Trailers, then the empty line.
                        while (await ReadLineAsync(cancellationToken) is { } trailer)
                        {
                            await sink.WriteAsync(trailer, cancellationToken);
                            if (trailer.Length == 2)
                            {
                                break;
                            }
                        }

                        break;
                    }

                    await CopyAsync(size + 2, sink, cancellationToken);
                }
            }
            else if (long.TryParse(Header(head, "Content-Length"), out var length))
            {
                await CopyAsync(length, sink, cancellationToken);
            }

            await sink.FlushAsync(cancellationToken);
        }

        private async Task CopyAsync(long count, Sink sink, CancellationToken cancellationToken)
        {
            while (count > 0)
            {
                if (_start == _end && !await FillAsync(cancellationToken))
                {
                    throw new IOException("the body ended early");
                }

                var n = (int)Math.Min(count, _end - _start);
                await sink.WriteAsync(_buffer.AsMemory(_start, n), cancellationToken);
                _start += n;
                count -= n;
            }
        }

        private async Task<byte[]?> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new MemoryStream();
            while (true)
            {
                if (_start == _end && !await FillAsync(cancellationToken))
                {
                    return line.Length == 0 ? null : line.ToArray();
                }

                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                var stop = newline < 0 ? _end : newline + 1;
                line.Write(_buffer, _start, stop - _start);
                _start = stop;
                if (newline >= 0)
                {
                    return line.ToArray();
                }
            }
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, cancellationToken);
            return _end > 0;
        }
    }
}
