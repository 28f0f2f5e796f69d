using System.Security.Cryptography;
using System.Text;
using Drydock.Building.Copy;
using Drydock.Cache;
using Drydock.Context;
using Drydock.Dockerfile;
using Drydock.Oci;

namespace Drydock.Building.Caching;

/// <summary>Digests what COPY and ADD read, one file after another (a parallel, memoizing digester replaces it).</summary>
internal sealed class SourceDigester
{
    public Task<SourceDigest> DigestCopyAsync(CopyInstruction copy, IFileSource source, CancellationToken cancellationToken) =>
        DigestPathsAsync(copy.Sources, copy.Parents, copy.InlineSources.Count > 0, source, cancellationToken);

    public Task<SourceDigest> DigestPathsAsync(IReadOnlyList<string> sources, bool parents, bool other, IFileSource source, CancellationToken cancellationToken)
    {
        var files = new List<SourceFileDigest>();
        foreach (var local in CopyFiles.ResolveAll(source, sources, parents, other).SelectMany(s => s))
        {
            files.Add(Entry(local.Source, local.Entry));
            if (local.IsDirectory)
            {
                foreach (var child in source.EnumerateDirectory(local.Entry, cancellationToken))
                {
                    files.Add(Entry(local.Source + "/" + child.Path, child));
                }
            }
        }

        var total = Digest.Sha256(Encoding.UTF8.GetBytes(string.Concat(files.Select(f => f.Path + "\0" + f.Digest + "\n"))));
        return Task.FromResult(new SourceDigest(total, files));
    }

    public async Task<SourceDigest?> DigestAddAsync(AddInstruction add, IFileSource context, CancellationToken cancellationToken) =>
        add.Sources.Any(s => Drydock.Context.Remote.AddSources.Classify(s) != Drydock.Context.Remote.AddSourceKind.Local)
            ? null
            : await DigestPathsAsync(add.Sources, false, add.InlineSources.Count > 0, context, cancellationToken);

    private static SourceFileDigest Entry(string path, ContextEntry entry)
    {
        var header = $"{entry.Type} {entry.LinkTarget} {(int)File.GetUnixFileMode(entry.FullPath)}\n";
        var bytes = Encoding.UTF8.GetBytes(header);
        if (entry.Type == ContextEntryType.File)
        {
            bytes = [.. bytes, .. File.ReadAllBytes(entry.FullPath)];
        }

        return new SourceFileDigest(path, Digest.Sha256(SHA256.HashData(bytes)));
    }
}
