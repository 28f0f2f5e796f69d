using System.CommandLine.Parsing;
using Drydock.Reference;

namespace Drydock.Cli;

/// <summary>Parse-time checks shared by commands, so a malformed value fails before any work.</summary>
internal static class CommandChecks
{
    public static void Reference(ArgumentResult result)
    {
        if (result.GetValueOrDefault<string>() is { } text && !ImageReference.TryParse(text, out _, out var error))
        {
            result.AddError($"{result.Argument.Name}: '{text}' is not a valid image reference: {error}.");
        }
    }

    /// <summary>Every value of a repeatable option is an image reference.</summary>
    public static void References(OptionResult result)
    {
        foreach (var text in result.GetValueOrDefault<string[]>() ?? [])
        {
            if (!ImageReference.TryParse(text, out _, out var error))
            {
                result.AddError($"{result.Option.Name}: '{text}' is not a valid image reference: {error}.");
            }
        }
    }

    /// <summary>A duration as kaniko writes it (<c>6h</c>, <c>90m</c>), and more than zero (a TTL).</summary>
    public static void PositiveDuration(OptionResult result)
    {
        if (RegistryFlags.ParseDuration(result.GetValueOrDefault<string>()) is not { } duration || duration <= TimeSpan.Zero)
        {
            result.AddError($"{result.Option.Name}: '{result.GetValueOrDefault<string>()}' is not a positive duration; write it as Go does, e.g. 6h, 90m or 336h");
        }
    }

    public static void Platform(OptionResult result)
    {
        if (result.GetValueOrDefault<string?>() is not { } text)
        {
            return;
        }

        try
        {
            Drydock.Reference.Platform.Parse(text);
        }
        catch (FormatException e)
        {
            result.AddError($"{result.Option.Name}: {e.Message}");
        }
    }
}
