using System.Formats.Tar;
using System.Security.Cryptography;
using Drydock.Foundation.Streams;

namespace Drydock.Oci.DockerArchive;

/// <summary>
/// Where each file of a tarball lies in it, found in one pass over the headers (data is skipped,
/// not read), so that a member is later read in place: nothing is extracted or held in memory.
/// Links (old <c>docker save</c> links repeated layers) are followed within the archive.
/// </summary>
internal sealed class TarMembers
{
    private const int MaxLinkHops = 16;

    private readonly Dictionary<string, TarMember> _files;
    private readonly Dictionary<string, string> _links;

    private TarMembers(string path, Dictionary<string, TarMember> files, Dictionary<string, string> links)
    {
        Path = path;
        _files = files;
        _links = links;
    }

    public string Path { get; }

    public static async Task<TarMembers> IndexAsync(string path, CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, TarMember>(StringComparer.Ordinal);
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        var file = BlobDirectory.OpenRead(path);
        await using (file.ConfigureAwait(false))
        {
            var reader = new TarReader(file, leaveOpen: true);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    var name = Clean(entry.Name);
                    switch (entry.EntryType)
                    {
                        case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                            files[name] = new TarMember(name, entry.DataOffset, entry.Length);
                            break;
                        case TarEntryType.SymbolicLink:
                            links[name] = Clean(Combine(Parent(name), entry.LinkName));
                            break;
                        case TarEntryType.HardLink:
                            links[name] = Clean(entry.LinkName);
                            break;
                    }
                }
            }
        }

        return new TarMembers(path, files, links);
    }

    public bool Contains(string name) => TryGet(name, out _);

    /// <summary>The file named <paramref name="name"/>, following links; null when there is none.</summary>
    public bool TryGet(string name, out TarMember member)
    {
        name = Clean(name);
        for (var hop = 0; hop <= MaxLinkHops; hop++)
        {
            if (_files.TryGetValue(name, out member!))
            {
                return true;
            }

            if (!_links.TryGetValue(name, out var target))
            {
                break;
            }

            name = target;
        }

        member = null!;
        return false;
    }

    public TarMember Get(string name, string where) =>
        TryGet(name, out var member) ? member : throw new InvalidDataException($"{where} has no file '{name}'.");

    /// <summary>Reads a member in place; the stream ends where the member does.</summary>
    public Stream Open(TarMember member)
    {
        var file = BlobDirectory.OpenRead(Path);
        try
        {
            file.Seek(member.Offset, SeekOrigin.Begin);
            return new BoundedReadStream(file, member.Length, leaveOpen: false);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The SHA-256 of a member, for one stored under a name that does not say its digest.</summary>
    public async Task<Digest> HashAsync(TarMember member, CancellationToken cancellationToken)
    {
        var stream = Open(member);
        await using (stream.ConfigureAwait(false))
        {
            return Digest.FromSha256Hash(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>The first bytes of a member, to tell a compressed layer from a plain tar.</summary>
    public async Task<byte[]> HeadAsync(TarMember member, int count, CancellationToken cancellationToken)
    {
        var stream = Open(member);
        await using (stream.ConfigureAwait(false))
        {
            var head = new byte[Math.Min(count, member.Length)];
            await stream.ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
            return head;
        }
    }

    private static string Clean(string name) => string.Join('/', Resolve(name.Split('/')));

    private static IEnumerable<string> Resolve(string[] parts)
    {
        var stack = new List<string>();
        foreach (var part in parts)
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (stack.Count > 0)
                {
                    stack.RemoveAt(stack.Count - 1);
                }

                continue;
            }

            stack.Add(part);
        }

        return stack;
    }

    private static string Parent(string name) => name.LastIndexOf('/') is var slash and >= 0 ? name[..slash] : "";

    private static string Combine(string directory, string target) =>
        target.StartsWith('/') || directory.Length == 0 ? target : $"{directory}/{target}";
}

/// <summary>One file of a tarball: where its data starts and how long it is.</summary>
internal sealed record TarMember(string Name, long Offset, long Length);
