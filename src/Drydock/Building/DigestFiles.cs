using System.Text;
using Drydock.Oci;
using Drydock.Reference;

namespace Drydock.Building;

/// <summary>
/// kaniko's digest files: the bare digest (--digest-file), and a line per destination naming the
/// image by repository and digest (--image-name-with-digest-file) or by repository, tag and digest
/// (--image-name-tag-with-digest-file). Repositories are spelled as kaniko spells them
/// (go-containerregistry's names: Docker Hub is <c>index.docker.io</c>), so scripts that read
/// kaniko's files read these.
/// </summary>
internal static class DigestFiles
{
    public static async Task WriteAsync(BuildOutputs outputs, Digest digest, CancellationToken cancellationToken)
    {
        if (outputs.DigestFile is { } digestFile)
        {
            await WriteFileAsync(digestFile, digest.ToString(), cancellationToken).ConfigureAwait(false);
        }

        if (outputs.ImageNameWithDigestFile is { } nameFile)
        {
            await WriteFileAsync(nameFile, Lines(outputs.Destinations, d => $"{RepositoryName(d)}@{digest}"), cancellationToken).ConfigureAwait(false);
        }

        if (outputs.ImageNameTagWithDigestFile is { } nameTagFile)
        {
            await WriteFileAsync(nameTagFile, Lines(outputs.Destinations, d => $"{RepositoryName(d)}{TagPart(d)}@{digest}"), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The repository as go-containerregistry names it: Docker Hub's registry is index.docker.io.</summary>
    internal static string RepositoryName(ImageReference destination) =>
        ImageReference.NormalizeRegistry(destination.Registry) == ImageReference.DockerHub ? $"index.docker.io/{destination.Repository}" : destination.Name;

    /// <summary>The tag, with <c>latest</c> for a destination that names none; none for one pinned to a digest only.</summary>
    private static string TagPart(ImageReference destination) =>
        destination.Tag is { } tag ? ":" + tag : destination.Digest is null ? ":" + ImageReference.DefaultTag : "";

    private static string Lines(IEnumerable<ImageReference> destinations, Func<ImageReference, string> line)
    {
        var text = new StringBuilder();
        foreach (var destination in destinations)
        {
            text.Append(line(destination)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Writes a file, making its directory first as kaniko does.</summary>
    private static async Task WriteFileAsync(string path, string text, CancellationToken cancellationToken)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        await File.WriteAllTextAsync(path, text, cancellationToken).ConfigureAwait(false);
    }
}
