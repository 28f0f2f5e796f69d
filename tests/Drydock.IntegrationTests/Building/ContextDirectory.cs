namespace Drydock.IntegrationTests.Building;

/// <summary>
/// A build context written by a test: a Dockerfile plus files with explicit modes, so what COPY
/// must preserve does not depend on the umask of whoever runs the tests.
/// </summary>
public sealed class ContextDirectory : IDisposable
{
    public const UnixFileMode Mode644 = (UnixFileMode)0b110_100_100;
    public const UnixFileMode Mode755 = (UnixFileMode)0b111_101_101;

    private readonly TempDirectory _directory = new("drydock-context-");

    public string Path => _directory.Path;

    public string DockerfilePath => _directory.Combine("Dockerfile");

    public ContextDirectory Dockerfile(string text) => File("Dockerfile", text);

    /// <summary>Writes a file (parents created), mode 0644 unless told.</summary>
    public ContextDirectory File(string relativePath, string content, UnixFileMode mode = Mode644)
    {
        var path = _directory.Combine(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        System.IO.File.SetUnixFileMode(path, mode);
        return this;
    }

    public ContextDirectory Symlink(string relativePath, string target)
    {
        var path = _directory.Combine(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.CreateSymbolicLink(path, target);
        return this;
    }

    public void Dispose() => _directory.Dispose();

    public override string ToString() => Path;
}
