
namespace Drydock.Building.Copy;

/// <summary>Where COPY/ADD put what they copy: a clean absolute image path, and how it was written.</summary>
/// <param name="Path">The destination, relative ones taken from the WORKDIR.</param>
/// <param name="WrittenAsDirectory">Whether it ends with '/' (or is "." or ".."), which makes it a directory whatever the image holds.</param>
internal readonly record struct CopyDestination(string Path, bool WrittenAsDirectory)
{
    public static CopyDestination Resolve(string destination, string? workingDir)
    {
        var absolute = destination.StartsWith('/')
            ? destination
            : (workingDir ?? "/").TrimEnd('/') + "/" + destination;
        var writtenAsDirectory = destination.EndsWith('/') || destination is "." or ".."
            || destination.EndsWith("/.", StringComparison.Ordinal) || destination.EndsWith("/..", StringComparison.Ordinal);
        return new CopyDestination(ConfigEdits.CleanAbsolute(absolute), writtenAsDirectory);
    }

    /// <summary>The image path of <paramref name="relative"/> below the destination.</summary>
    public string Join(string relative) => ConfigEdits.CleanAbsolute(Path + "/" + relative);
}
