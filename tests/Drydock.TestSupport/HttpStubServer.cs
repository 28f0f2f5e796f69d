using System.Net;
using System.Text;

namespace Drydock.TestSupport;

/// <summary>
/// A minimal HTTP server on 127.0.0.1 at a free port (HttpListener), answering each request, one
/// at a time, with the test's handler; the response is closed after the handler returns.
/// </summary>
public sealed class HttpStubServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerContext, Task> _handler;
    private readonly Task _loop;

    public HttpStubServer(Func<HttpListenerContext, Task> handler)
    {
        _handler = handler;

        // HttpListener needs its prefix's port free: take one, release it, bind; retry if taken meanwhile.
        for (var attempt = 0; ; attempt++)
        {
            Port = LoopbackPort.Free();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 3)
            {
                _listener.Prefixes.Clear();
            }
        }

        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>.</summary>
    public string Host => $"127.0.0.1:{Port}";

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUri => new($"http://{Host}/");

    /// <summary>Writes a status and a UTF-8 body, with a content type when given.</summary>
    public static async Task ReplyAsync(HttpListenerContext context, int status, string body, string? contentType = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = status;
        if (contentType is not null)
        {
            context.Response.ContentType = contentType;
        }

        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
    }

    public void Dispose()
    {
        // Close without Stop: after Stop, Close looks the port up again by binding it, which fails
        // when another test has taken the freed port in the meantime.
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await _handler(context);
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The client went away; the next request is unaffected.
            }
            finally
            {
                try
                {
                    context.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
                {
                }
            }
        }
    }
}
