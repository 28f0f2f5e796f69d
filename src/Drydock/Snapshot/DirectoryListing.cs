using System.IO.Enumeration;

namespace Drydock.Snapshot;

/// <summary>The names in one directory: nothing skipped (hidden and system entries count), nothing followed.</summary>
internal static class DirectoryListing
{
    private static readonly EnumerationOptions OneDirectory = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    public static FileSystemEnumerable<string> Names(string hostDirectory) =>
        new(hostDirectory, static (ref FileSystemEntry entry) => entry.FileName.ToString(), OneDirectory);
}
