namespace Drydock.TestSupport;

/// <summary>A fresh directory under the system temp dir (or <c>parent</c>), deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "drydock-test-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public TempDirectory(string prefix, string parent)
    {
        Path = Directory.CreateDirectory(System.IO.Path.Combine(parent, prefix + Guid.NewGuid().ToString("N")[..8])).FullName;
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>A temp directory stands wherever its path is wanted.</summary>
    public static implicit operator string(TempDirectory directory) => directory.Path;

    public void Dispose() => Delete(Path);

    /// <summary>Deletes a directory tree, as far as it can.</summary>
    public static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp dir must not fail a test.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public override string ToString() => Path;
}
