using System.Text;

namespace Drydock.Dockerfile;

/// <summary>
/// Text as Unicode scalar values. BuildKit's lexers work on Go runes, so a character outside the
/// BMP must count as one character, not as two UTF-16 halves.
/// </summary>
internal static class CodePoints
{
    public static int[] Of(string text)
    {
        var result = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            result.Add(rune.Value);
        }
        return [.. result];
    }

    public static void Append(StringBuilder sb, int codePoint) => sb.Append(new Rune(codePoint).ToString());

    public static string ToText(int codePoint) => new Rune(codePoint).ToString();

    public static string Reverse(string text)
    {
        var points = Of(text);
        Array.Reverse(points);
        return Concat(points);
    }

    public static string Concat(IEnumerable<int> points)
    {
        var sb = new StringBuilder();
        foreach (var p in points)
        {
            Append(sb, p);
        }
        return sb.ToString();
    }
}
