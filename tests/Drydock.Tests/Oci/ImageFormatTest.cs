namespace Drydock.Tests.Oci;

/// <summary>A test of an image format: a temporary folder, and in it one for the blobs of the images written.</summary>
public abstract class ImageFormatTest : IDisposable
{
    protected ImageFormatTest(string name)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory($"drydock-{name}-").FullName;
    }

    protected string Directory { get; }

    /// <summary>Where the layers of the images under test are made.</summary>
    protected string Sources => Path.Combine(Directory, "sources");

    public void Dispose()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        GC.SuppressFinalize(this);
    }
}
