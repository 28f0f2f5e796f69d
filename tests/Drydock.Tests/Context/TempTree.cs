namespace Drydock.Tests.Context;

/// <summary>A throwaway directory tree for context tests: a parent holding the context root, so
/// tests can also put files just outside the context.</summary>
internal sealed class TempTree : IDisposable
{
    private readonly TempDirectory _parent = new("drydock-context-");

    public TempTree()
    {
        Root = Directory.CreateDirectory(_parent.Combine("ctx")).FullName;
    }

    public string Parent => _parent.Path;

    public string Root { get; }

    public string File(string relative, string content = "")
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public string Dir(string relative) => Directory.CreateDirectory(Path.Combine(Root, relative)).FullName;

    public string Link(string relative, string target)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.CreateSymbolicLink(path, target);
        return path;
    }

    public string Outside(string relative, string content = "")
    {
        var path = Path.Combine(Parent, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public string In(string relative) => Path.Combine(Root, relative);

    public void Dispose() => _parent.Dispose();
}
