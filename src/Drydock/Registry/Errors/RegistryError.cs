using System.Text.Json;

namespace Drydock.Registry.Errors;

/// <summary>One entry of a distribution error reply: <c>{"errors":[{"code","message","detail"}]}</c>.</summary>
public sealed record RegistryError(string Code, string Message, string? Detail = null)
{
    /// <summary>
    /// Reads the errors of a reply body. Anything that is not the distribution error shape gives an
    /// empty list: an error page from a proxy must not hide the status code behind a parse failure.
    /// </summary>
    public static IReadOnlyList<RegistryError> ParseAll(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return [];
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("errors", out var errors) ||
                errors.ValueKind != JsonValueKind.Array)
            {
                return [];
            }

            var result = new List<RegistryError>();
            foreach (var error in errors.EnumerateArray())
            {
                if (error.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var code = StringOf(error, "code") ?? "UNKNOWN";
                var message = StringOf(error, "message") ?? "";
                var detail = error.TryGetProperty("detail", out var d) && d.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
                    ? d.ValueKind == JsonValueKind.String ? d.GetString() : d.GetRawText()
                    : null;
                result.Add(new RegistryError(code, message, detail));
            }

            return result;
        }
        catch (JsonException)
        {
            return [];
        }
    }

    public override string ToString() => Message.Length == 0 ? Code : $"{Code}: {Message}";

    private static string? StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
