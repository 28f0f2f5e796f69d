namespace Drydock.Context;

/// <summary>
/// Where a build's context comes from, parsed once from what the user wrote. Only local
/// directories exist so far; a <c>dir://</c> prefix names one too, as kaniko accepts it.
/// </summary>
/// <param name="Directory">The context directory, as given (relative paths are taken from the working directory when opened).</param>
public sealed record ContextSource(string Directory)
{
    private const string DirectoryScheme = "dir://";

    public static ContextSource Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new ContextSource(text.StartsWith(DirectoryScheme, StringComparison.Ordinal) ? text[DirectoryScheme.Length..] : text);
    }
}
