using Drydock.Foundation.Paths;

namespace Drydock.Context;

/// <summary>
/// Finds the Dockerfile: "Dockerfile" in the context by default; otherwise the --dockerfile path,
/// absolute or relative. A relative path is looked up in the context first and then, as kaniko
/// and docker do, relative to the working directory.
/// </summary>
internal static class DockerfileLocator
{
    public const string DefaultName = "Dockerfile";

    public static string Locate(string root, string? dockerfile, string workingDirectory)
    {
        if (string.IsNullOrEmpty(dockerfile))
        {
            var inContext = RootedPath.Resolve(root, DefaultName);
            return CheckFile(inContext)
                ?? throw new BuildContextException(
                    $"Dockerfile not found at {Path.Combine(root, DefaultName)}: pass --dockerfile with the path of your Dockerfile " +
                    "(relative to the context, or absolute)");
        }

        if (Path.IsPathRooted(dockerfile))
        {
            var absolute = Path.GetFullPath(dockerfile);
            return CheckFile(absolute)
                ?? throw new BuildContextException(
                    $"Dockerfile not found at {absolute}: pass --dockerfile with the path of an existing file");
        }

        var tried = new List<string>();
        var underContext = ResolveNear(root, Path.Combine(root, dockerfile));
        tried.Add(underContext);
        var found = CheckFile(underContext);
        if (found is null)
        {
            var underWorkingDirectory = Path.GetFullPath(dockerfile, workingDirectory);
            if (!tried.Contains(underWorkingDirectory))
            {
                tried.Add(underWorkingDirectory);
                found = CheckFile(underWorkingDirectory);
            }
        }

        return found
            ?? throw new BuildContextException(
                $"Dockerfile not found at {string.Join(" or ", tried)}: pass --dockerfile with the path of your Dockerfile " +
                "(relative to the context, or absolute)");
    }

    /// <summary>
    /// A path that lies inside the context is resolved within it, so a link in the context (which
    /// may come from an untrusted archive or repository) cannot make us read a host file. A path
    /// outside the context was the user's own choice and is taken as is.
    /// </summary>
    public static string ResolveNear(string root, string path)
    {
        var full = Path.GetFullPath(path);
        return ContextRoot.Contains(root, full)
            ? RootedPath.Resolve(root, ContextRoot.RelativePath(root, full))
            : full;
    }

    // The path when it is a file; null when nothing is there; an error when it is a directory,
    // which is a mistake worth naming rather than reporting as "not found".
    private static string? CheckFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new BuildContextException(
                $"Dockerfile path {path} is a directory: pass --dockerfile with the path of the file itself");
        }

        return File.Exists(path) ? path : null;
    }
}
