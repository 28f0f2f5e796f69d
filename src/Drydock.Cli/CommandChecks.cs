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
