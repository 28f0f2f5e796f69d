using System.Net;
using System.Net.Http;
using System.Text;

namespace Drydock.Registry.Errors;

/// <summary>Turns a failed registry reply into one <see cref="RegistryException"/>.</summary>
internal static class ErrorReplies
{
    private const int MaxErrorBody = 64 * 1024;

    /// <summary>Reads (a bounded part of) the body and builds the exception; disposes the response.</summary>
    public static async Task<RegistryException> ToExceptionAsync(HttpResponseMessage response, string operation, string? hint, CancellationToken cancellationToken)
    {
        using (response)
        {
            var body = await ReadBoundedAsync(response, MaxErrorBody, cancellationToken).ConfigureAwait(false);
            var errors = RegistryError.ParseAll(body);
            var status = $"{(int)response.StatusCode} {Describe(response.StatusCode, response.ReasonPhrase)}";
            string reason;
            if (errors.Count > 0)
            {
                reason = $"{(int)response.StatusCode} {string.Join("; ", errors)}";
            }
            else if (Snippet(body) is { } snippet)
            {
                reason = $"{status}: {snippet}";
            }
            else
            {
                reason = status;
            }

            if (hint is not null)
            {
                reason += $" ({hint})";
            }

            return new RegistryException(operation, reason, response.StatusCode, errors);
        }
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes of a reply body.</summary>
    public static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while (buffer.Length < limit && (read = await stream.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, limit - buffer.Length)), cancellationToken).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        catch (HttpRequestException)
        {
            // The status already tells what went wrong; a body cut short must not hide it.
            return [];
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static string Describe(HttpStatusCode status, string? reasonPhrase) =>
        !string.IsNullOrWhiteSpace(reasonPhrase) ? reasonPhrase : status.ToString();

    /// <summary>A short single-line piece of a non-JSON body (an HTML error page, a proxy's text).</summary>
    private static string? Snippet(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 512));
        var line = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (line.Length == 0 || line.StartsWith('<'))
        {
            return null;
        }

        return line.Length > 200 ? line[..200] + "…" : line;
    }
}
