namespace Drydock.Context;

/// <summary>
/// Orders names by their UTF-8 bytes, as Go sorts strings (and so as Docker and BuildKit list a
/// directory), without encoding them: UTF-16 code unit order agrees with UTF-8 byte order except
/// that surrogates (characters above U+FFFF) must sort after U+E000–U+FFFF.
/// </summary>
internal sealed class Utf8NameComparer : IComparer<string>
{
    public static Utf8NameComparer Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return x is null ? (y is null ? 0 : -1) : 1;
        }

        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            var a = x[i];
            var b = y[i];
            if (a != b)
            {
                return Weight(a).CompareTo(Weight(b));
            }
        }

        return x.Length.CompareTo(y.Length);
    }

    private static int Weight(char c) => c switch
    {
        >= '\uE000' => c - 0x800,
        >= '\uD800' => c + 0x2000,
        _ => c,
    };
}
