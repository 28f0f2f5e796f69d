using Drydock.Reference;

namespace Drydock.Cli;

/// <summary>The platforms a build is for, from every <c>--custom-platform</c>/<c>--platform</c> value.</summary>
public static class PlatformList
{
    /// <summary>
    /// Each value may hold a comma-separated list, as with <c>docker buildx build --platform</c>.
    /// Aliases of one platform (<c>linux/aarch64</c>, <c>linux/arm64/v8</c>) collapse into the first
    /// given; no value at all means this machine's platform.
    /// </summary>
    /// <exception cref="FormatException">A value is empty or not OS/ARCH[/VARIANT]; the message names the flag and the value.</exception>
    public static IReadOnlyList<Platform> Parse(IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var platforms = new List<Platform>();
        foreach (var value in values)
        {
            foreach (var item in value.Split(','))
            {
                var platform = ParseOne(item.Trim(), value);
                if (!platforms.Contains(platform))
                {
                    platforms.Add(platform);
                }
            }
        }

        return platforms.Count == 0 ? [Platform.Host] : platforms;
    }

    private static Platform ParseOne(string text, string value)
    {
        if (text.Length == 0)
        {
            throw new FormatException($"invalid --custom-platform '{value}': an empty platform in the list (expected OS/ARCH[/VARIANT][,OS/ARCH…], for example linux/amd64,linux/arm64)");
        }

        try
        {
            return Platform.Parse(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"invalid --custom-platform '{text}': {e.Message} (expected OS/ARCH[/VARIANT], for example linux/arm64)", e);
        }
    }
}
