namespace Drydock.Foundation.Streams;

/// <summary>Files created for writing once, start to end.</summary>
public static class NewFile
{
    /// <summary>
    /// Creates <paramref name="path"/>, which must not exist, readable and writable by its owner
    /// only: whoever writes it sets the final owner and mode once the content is complete.
    /// </summary>
    public static FileStream Create(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
    });
}
