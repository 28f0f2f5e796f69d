using System.Text.Json;
using Drydock.Registry.Errors;
using Drydock.Registry.Transport;

namespace Drydock.Registry;

// Tag listing: GET /v2/<name>/tags/list, page by page as the Link header leads.
public sealed partial class RegistryClient
{
    private const int MaxTagPage = 4 * 1024 * 1024;

    /// <summary>Every tag of the repository (an empty list when the repository does not exist), up to <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<string>> ListTagsAsync(string repository, int limit, CancellationToken cancellationToken)
    {
        var operation = $"listing the tags of {Registry}/{repository}";
        var tags = new List<string>();
        string? next = $"v2/{repository}/tags/list";
        while (next is not null && tags.Count < limit)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, next);
            using var response = await SendAsync(request, operation, [RegistryScope.Pull(repository)], cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return tags;
            }

            await EnsureSuccessAsync(response, operation, cancellationToken).ConfigureAwait(false);
            var body = await ReadBodyAsync(response, MaxTagPage, operation, cancellationToken).ConfigureAwait(false);
            try
            {
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.TryGetProperty("tags", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    tags.AddRange(list.EnumerateArray().Select(t => t.GetString()).OfType<string>());
                }
            }
            catch (JsonException e)
            {
                throw new RegistryException(operation, $"the tag list is not valid JSON: {e.Message}", innerException: e);
            }

            next = NextPage(response);
        }

        return tags.Count > limit ? tags[..limit] : tags;
    }

    /// <summary>The next page a Link header (<c>&lt;/v2/…?last=x&gt;; rel="next"</c>) points to, relative to the registry.</summary>
    private static string? NextPage(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        foreach (var link in links)
        {
            var start = link.IndexOf('<', StringComparison.Ordinal);
            var end = link.IndexOf('>', StringComparison.Ordinal);
            if (start >= 0 && end > start && link.Contains("rel=\"next\"", StringComparison.Ordinal))
            {
                return link[(start + 1)..end].TrimStart('/');
            }
        }

        return null;
    }
}
